# md2html.awk: the little Markdown our reports use, as one HTML page:
# # and ## headings, paragraphs, "- " lists, | tables | (the |---| row
# skipped), ``` code blocks, ![alt](picture) lines, [text](link), `code`,
# **bold**, *em*. A picture fits the window down to 1000 pixels wide and
# scrolls sideways below that rather than shrink its labels further; it
# links to itself.

function escape(s) {
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	return s
}

# `code`, **bold** and *em* inside a line (already escaped).
function inline(s,    out, start, len) {
	out = ""
	while (match(s, /`[^`]*`/)) {
		start = RSTART	# emphasis() calls match() too
		len = RLENGTH
		out = out emphasis(substr(s, 1, start - 1)) "<code>" substr(s, start + 1, len - 2) "</code>"
		s = substr(s, start + len)
	}
	return out emphasis(s)
}

function emphasis(s,    text, href) {
	while (match(s, /\[[^]]*\]\([^) ]*\)/)) {
		text = substr(s, RSTART + 1, RLENGTH - 2)
		href = text; sub(/^.*\]\(/, "", href)
		sub(/\]\(.*$/, "", text)
		s = substr(s, 1, RSTART - 1) "<a href=\"" href "\">" text "</a>" substr(s, RSTART + RLENGTH)
	}
	while (match(s, /\*\*[^*]+\*\*/))
		s = substr(s, 1, RSTART - 1) "<strong>" substr(s, RSTART + 2, RLENGTH - 4) "</strong>" substr(s, RSTART + RLENGTH)
	while (match(s, /\*[^* ][^*]*\*/))
		s = substr(s, 1, RSTART - 1) "<em>" substr(s, RSTART + 1, RLENGTH - 2) "</em>" substr(s, RSTART + RLENGTH)
	return s
}

# Close whatever block is open: a paragraph, list or table.
function close_block() {
	if (block == "p") print "</p>"
	else if (block == "ul") print "</li></ul>"
	else if (block == "table") print "</table>"
	block = ""
}

function table_row(line,    n, cell, i, tag, row) {
	sub(/^\|/, "", line)
	sub(/\|$/, "", line)
	n = split(line, cell, "|")
	tag = rows++ == 0 ? "th" : "td"
	row = "<tr>"
	for (i = 1; i <= n; i++) {
		gsub(/^ +| +$/, "", cell[i])
		row = row "<" tag ">" inline(escape(cell[i])) "</" tag ">"
	}
	print row "</tr>"
}

BEGIN {
	print "<!DOCTYPE html>"
	print "<html><head><meta charset=\"utf-8\"><title>bprtools report</title>"
	print "<style>body{font-family:sans-serif;max-width:1300px;margin:2em auto;padding:0 1em;line-height:1.4}"
	print "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:0.2em 0.6em;text-align:left}"
	print "pre{background:#f4f4f4;padding:0.6em;overflow-x:auto}figure{margin:1em 0;overflow-x:auto}"
	# a 1280-pixel picture fits a 1280-pixel window; narrower, it scrolls rather than shrink past 1000
	print "figure img{display:block;max-width:100%;min-width:1000px;height:auto}</style>"
	print "</head><body>"
}

code {
	if ($0 ~ /^```/) { print "</pre>"; code = 0 } else print escape($0)
	next
}

/^```/ { close_block(); printf "<pre>"; code = 1; next }

/^$/ { close_block(); next }

/^## / { close_block(); print "<h2>" inline(escape(substr($0, 4))) "</h2>"; next }

/^# / { close_block(); print "<h1>" inline(escape(substr($0, 3))) "</h1>"; next }

/^!\[[^]]*\]\([^)]*\)$/ {
	close_block()
	alt = $0; sub(/^!\[/, "", alt); sub(/\].*/, "", alt)
	src = $0; sub(/^[^(]*\(/, "", src); sub(/\)$/, "", src)
	printf "<figure><a href=\"%s\"><img src=\"%s\" alt=\"%s\"></a></figure>\n", escape(src), escape(src), escape(alt)
	next
}

/^\|/ {
	if (block != "table") { close_block(); print "<table>"; block = "table"; rows = 0 }
	if ($0 !~ /^\|[-| ]+\|$/) table_row($0)
	next
}

/^- / {
	if (block == "ul") print "</li><li>"
	else { close_block(); print "<ul><li>"; block = "ul" }
	print inline(escape(substr($0, 3)))
	next
}

{
	if (block == "") { print "<p>"; block = "p" }
	line = $0
	sub(/^ +/, "", line)
	print inline(escape(line))
}

END {
	close_block()
	print "</body></html>"
}
