#!/usr/bin/env bats
# The manual: every page lints clean, and every tool's --help and man
# page describe the same options.

load helpers

tools() {
	local f
	for f in "$ROOT"/tools/*.c; do
		f=${f##*/}
		f=${f%.c}
		[ "$f" = cli ] || echo "$f"
	done
}

@test "docs: every man page passes mandoc -Tlint" {
	need_command mandoc
	for page in "$ROOT"/man/*.[1-9]; do
		mandoc -Tlint -Wwarning "$page"
	done
}

@test "docs: every tool has a section 1 page" {
	for t in $(tools); do
		[ -f "$ROOT/man/$t.1" ] || { echo "no man/$t.1" >&2; return 1; }
	done
}

@test "docs: --help and the man page list the same long options" {
	for t in $(tools); do
		from_help=$("$t" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
		from_man=$(grep -o 'Fl -[a-z][a-z0-9-]*' "$ROOT/man/$t.1" | sed 's/^Fl -/--/' | sort -u)
		if [ "$from_help" != "$from_man" ]; then
			echo "$t: options differ (< help, > man):" >&2
			diff <(echo "$from_help") <(echo "$from_man") >&2
			return 1
		fi
	done
}

@test "docs: --help and the man page list the same short options" {
	for t in $(tools); do
		from_help=$("$t" --help | grep -o '^  -[a-zA-Z0-9]' | tr -d ' ' | sort -u)
		from_man=$(grep -o '^\.It Fl [a-zA-Z0-9]\( \|$\)' "$ROOT/man/$t.1" | sed 's/^\.It Fl /-/; s/ $//' | sort -u)
		if [ "$from_help" != "$from_man" ]; then
			echo "$t: short options differ (< help, > man):" >&2
			diff <(echo "$from_help") <(echo "$from_man") >&2
			return 1
		fi
	done
}

@test "docs: the usage line is the man page's synopsis (same options)" {
	for t in $(tools); do
		from_usage=$("$t" --help | sed -n '/^usage:/,/^$/p' | grep -o -- '[[| ]-[-a-zA-Z][a-z0-9-]*' | cut -c2- | sort -u)
		from_synopsis=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$ROOT/man/$t.1" |
			grep -o 'Fl -\{0,1\}[a-zA-Z][a-z0-9-]*' | sed 's/^Fl /-/' | sort -u)
		if [ "$from_usage" != "$from_synopsis" ]; then
			echo "$t: usage and SYNOPSIS differ (< usage, > synopsis):" >&2
			diff <(echo "$from_usage") <(echo "$from_synopsis") >&2
			return 1
		fi
	done
}
