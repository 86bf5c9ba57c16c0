#!/usr/bin/env bash
# mutate.sh [N] [SEED]: plant N simple bugs (mutants) in lib/, one at a
# time, in a copy of the tree; build each and run the test suites it
# could affect. A mutant the tests let pass is a place where they are
# blind. Prints every surviving mutant and the score: killed over
# mutants that compiled. Runs on demand (make mutate), not in CI.
#
# The mutations: < and <=, > and >= swapped; == and != swapped; && and ||
# swapped; a binary + or - turned into the other; a "+ 0.5" dropped; an
# if's condition made false; a statement removed.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
want=${1:-80}
seed=${2:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/bpr-mutate.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/tree
log=$work/log

say() { printf '%s\n' "$*" >&2; }

# A copy of the sources to plant bugs in; the working tree stays as it is.
mkdir -p "$tree"
(cd "$here" && tar cf - Makefile lib tools tests pipelines man) | (cd "$tree" && tar xf -)
say "mutate: building the unmutated copy in $tree"
make -s -C "$tree" -j2 all units > "$log" 2>&1 || { cat "$log"; exit 1; }

# The suites a mutant in each layer could affect.
suites_for() {
	case $1 in
	lib/io/*) echo "bad-input bad-input-model seams faults ml-split ml-genres triplet-sample model-file" ;;
	lib/data/*) echo "ml-split ml-genres triplet-sample sort auc seams bad-input" ;;
	lib/sample/*) echo "triplet-sample bpr-train reference bad-input-model seams" ;;
	lib/model/*) echo "model-file bpr-score bpr-train bad-input-model reference auc seams" ;;
	lib/eval/*) echo "auc bpr-score report reference bpr-train docs" ;;
	lib/train/*) echo "bpr-train reference experiment faults report" ;;
	esac
}

# Every mutation site: file<TAB>line<TAB>operator<TAB>occurrence on the line.
candidates() {
	local f
	for f in "$here"/lib/*/*.c "$here"/lib/*/*_kernel.h; do
		awk -v f="${f#"$here"/}" '
			# re is a string: a /re/ argument would be matched against $0 first
			function count(s, re,   n) { n = 0; while (match(s, re)) { n++; s = substr(s, RSTART + RLENGTH) } return n }
			function emit(op, n,   k) { for (k = 1; k <= n; k++) print f "\t" FNR "\t" op "\t" k }
			/^[ \t]*(\/?\*|#|\/\/)/ { next }
			{
				line = $0
				gsub(/"([^"\\]|\\.)*"/, "\"\"", line)	# strings are not code
				emit("le", count(line, " <= ")); emit("lt", count(line, " < "))
				emit("ge", count(line, " >= ")); emit("gt", count(line, " > "))
				emit("eq", count(line, " == ")); emit("ne", count(line, " != "))
				emit("and", count(line, " && ")); emit("or", count(line, " [|][|] "))
				emit("plus", count(line, " [+] ")); emit("minus", count(line, " - "))
				emit("half", count(line, " [+] 0[.]5"))
				if (line ~ /^\t+if \(.*\)$/ || line ~ /^\t+if \(.*\) \{$/) emit("iffalse", 1)
				if (line ~ /^\t+[a-z_][a-z_0-9]*(\[[^]]*\])?(->[a-z_]+|\.[a-z_]+)* (=|\+=|-=|\*=|\/=) [^;]*;$/ ||
				    line ~ /^\t+[a-z_][a-z_0-9]*\([^;]*\);$/ || line ~ /^\t+[a-z_][a-z_0-9]*(\+\+|--);$/)
					emit("drop", 1)
			}' "$f"
	done
}

# mutate FILE LINE OP K: apply one mutation to the copy; prints the new line.
mutate() {
	awk -v L="$2" -v op="$3" -v K="$4" '
		function nth(s, re, rep, k,   pre, i) {
			pre = ""
			for (i = 1; i <= k; i++) {
				if (!match(s, re)) return pre s
				if (i < k) { pre = pre substr(s, 1, RSTART + RLENGTH - 1); s = substr(s, RSTART + RLENGTH) }
			}
			return pre substr(s, 1, RSTART - 1) rep substr(s, RSTART + RLENGTH)
		}
		FNR == L {
			if (op == "le") $0 = nth($0, " <= ", " < ", K)
			else if (op == "lt") $0 = nth($0, " < ", " <= ", K)
			else if (op == "ge") $0 = nth($0, " >= ", " > ", K)
			else if (op == "gt") $0 = nth($0, " > ", " >= ", K)
			else if (op == "eq") $0 = nth($0, " == ", " != ", K)
			else if (op == "ne") $0 = nth($0, " != ", " == ", K)
			else if (op == "and") $0 = nth($0, " && ", " || ", K)
			else if (op == "or") $0 = nth($0, " [|][|] ", " && ", K)
			else if (op == "plus") $0 = nth($0, " [+] ", " - ", K)
			else if (op == "minus") $0 = nth($0, " - ", " + ", K)
			else if (op == "half") $0 = nth($0, " [+] 0[.]5", "", K)
			else if (op == "iffalse") { sub(/if \(/, "if (0 \\&\\& (", $0); sub(/\)( \{)?$/, ")&", $0) }
			else if (op == "drop") { match($0, /^\t+/); $0 = substr($0, 1, RLENGTH) ";" }
			print > "/dev/stderr"
		}
		{ print }' "$tree/$1" > "$tree/$1.new" 2> "$work/line" && mv "$tree/$1.new" "$tree/$1"
	cat "$work/line"
}

# A spread of sites: shuffled by the seed, then the first N.
candidates | awk -v seed="$seed" 'BEGIN { srand(seed) } { print rand() "\t" $0 }' | sort -n |
	cut -f2- | head -n "$want" > "$work/chosen"
total=$(wc -l < "$work/chosen")
killed=0 survived=0 stillborn=0 n=0
survivors=""
while IFS=$'\t' read -r file line op k <&3; do
	n=$((n + 1))
	cp "$tree/$file" "$work/original"
	before=$(sed -n "${line}p" "$tree/$file")
	after=$(mutate "$file" "$line" "$op" "$k")
	if ! make -s -C "$tree" -j2 all units > "$log" 2>&1; then
		stillborn=$((stillborn + 1))
		say "mutate: $n/$total $file:$line $op: does not compile"
	else
		verdict=survived
		for s in $(suites_for "$file"); do
			if ! BPR_BIN="$tree/bin" BPR_UNIT="$tree/build/unit" timeout 600 \
			    bats "$tree/tests/$s.bats" > "$log" 2>&1; then
				verdict="killed by $s.bats"
				break
			fi
		done
		if [ "$verdict" = survived ]; then
			survived=$((survived + 1))
			survivors="$survivors$file:$line ($op)
    - $(printf '%s' "$before" | sed 's/^[[:space:]]*//')
    + $(printf '%s' "$after" | sed 's/^[[:space:]]*//')
"
		else
			killed=$((killed + 1))
		fi
		say "mutate: $n/$total $file:$line $op: $verdict"
	fi
	cp "$work/original" "$tree/$file"
	touch "$tree/$file"
done 3< "$work/chosen"
make -s -C "$tree" -j2 all units > "$log" 2>&1

printf 'mutate: survivors\n%s' "${survivors:-(none)
}"
printf 'mutate: %d mutants, %d killed, %d survived, %d did not compile; score %d/%d\n' \
	"$total" "$killed" "$survived" "$stillborn" "$killed" $((killed + survived))
