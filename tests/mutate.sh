#!/usr/bin/env bash
# mutate.sh [N] [SEED]: plant N simple bugs (mutants) in lib/, one at a
# time, in a copy of the tree; build each and run the test suites, those
# of the mutant's layer first, stopping at the first that fails. A mutant
# every suite lets pass gets a second chance, as in CI: built with ASan
# and UBSan, against its layer's suites and the leak checks. One that
# survives both is a place where the tests are blind. Prints every
# survivor and the score: killed over mutants that compiled. Runs on
# demand (make mutate), not in CI.
#
# The mutations: < and <=, > and >= swapped; == and != swapped; && and ||
# swapped; a binary + or - turned into the other; a "+ 0.5" dropped; an
# if's condition made false; a statement removed.
set -u

# All of it is one function, read whole before it runs: the script can be
# edited while a long run is under way.
main() {
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
san_flags="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
build() { make -s -C "$tree" -j2 all units > "$log" 2>&1; }
build_san() {
	make -s -C "$tree" -j2 BUILD=build-san BIN=build-san/bin CFLAGS="$san_flags" \
	    LDFLAGS="$san_flags" all units > "$log" 2>&1
}
build || { cat "$log"; exit 1; }
build_san || { cat "$log"; exit 1; }

# The suites a mutant in each layer most likely breaks, tried first.
suites_for() {
	case $1 in
	lib/io/*) echo "bad-input parse records seams faults ml-split ml-genres triplet-sample model-file" ;;
	lib/data/*) echo "ml-split ml-genres triplet-sample records sort auc seams bad-input" ;;
	lib/sample/*) echo "triplet-sample bpr-train records reference bad-input-model seams" ;;
	lib/model/*) echo "model-file bpr-score bpr-train bad-input-model reference auc seams" ;;
	lib/eval/*) echo "auc bpr-score report records reference bpr-train docs" ;;
	lib/train/*) echo "bpr-train bad-input-model reference experiment faults report" ;;
	esac
}

# Those, then every other suite.
all_suites() {
	local first f s
	first=$(suites_for "$1")
	echo "$first"
	for f in "$tree"/tests/*.bats; do
		s=${f##*/}
		s=${s%.bats}
		case " $first " in *" $s "*) ;; *) echo "$s" ;; esac
	done
}

# first_failing BIN UNIT SUITE...: the first suite that fails, if any.
first_failing() {
	local bin=$1 unit=$2 s
	shift 2
	for s in "$@"; do
		if ! BPR_BIN="$bin" BPR_UNIT="$unit" timeout 600 bats "$tree/tests/$s.bats" > "$log" 2>&1; then
			echo "$s"
			return
		fi
	done
}

# The second chance: sanitizers, the layer's suites and the leak checks.
first_failing_sanitized() {
	build_san || { echo "the sanitized build"; return; }
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 BPR_SANITIZED=1 \
	    first_failing "$tree/build-san/bin" "$tree/build-san/unit" $(suites_for "$1") leaks
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

# A spread of sites: shuffled by the seed, then the first N; or, to check
# that new tests kill old survivors, the sites listed in $MUTATE_SITES
# (lines of file<TAB>line<TAB>operator<TAB>occurrence).
if [ -n "${MUTATE_SITES:-}" ]; then
	cp "$MUTATE_SITES" "$work/chosen"
else
	candidates | awk -v seed="$seed" 'BEGIN { srand(seed) } { print rand() "\t" $0 }' | sort -n |
		cut -f2- | head -n "$want" > "$work/chosen"
fi
total=$(wc -l < "$work/chosen")
killed=0 survived=0 stillborn=0 n=0
survivors=""
while IFS=$'\t' read -r file line op k <&3; do
	n=$((n + 1))
	cp "$tree/$file" "$work/original"
	before=$(sed -n "${line}p" "$tree/$file")
	after=$(mutate "$file" "$line" "$op" "$k")
	if ! build; then
		stillborn=$((stillborn + 1))
		say "mutate: $n/$total $file:$line $op: does not compile"
	else
		verdict=survived
		failing=$(first_failing "$tree/bin" "$tree/build/unit" $(all_suites "$file"))
		[ -z "$failing" ] || verdict="killed by $failing.bats"
		if [ -z "$failing" ]; then
			failing=$(first_failing_sanitized "$file")
			[ -z "$failing" ] || verdict="killed by $failing.bats under ASan+UBSan"
		fi
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

printf 'mutate: survivors\n%s' "${survivors:-(none)
}"
printf 'mutate: %d mutants, %d killed, %d survived, %d did not compile; score %d/%d\n' \
	"$total" "$killed" "$survived" "$stillborn" "$killed" $((killed + survived))
}

main "$@"
exit
