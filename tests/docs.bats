#!/usr/bin/env bats
# The manual: every page lints clean, and every tool's --help and man
# page describe the same options.

load helpers

tools() {
	local f
	for f in "$ROOT"/tools/*.c; do
		f=${f##*/}
		f=${f%.c}
		case $f in cli | cli_*) ;;	# the tools' shared code
		*) echo "$f" ;;
		esac
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

# columns SPEC PAGE HELP FILE: the output FILE has as many TAB-separated
# columns on every line as SPEC names ("a<TAB>b[<TAB>c]": with the [..]
# part when FILE's command asked for it, WITH=1), and SPEC is written as
# it is in man page PAGE and, unless HELP is -, in that tool's --help.
columns() {
	local spec=$1 page=$2 help=$3 file=$4 want
	grep -qF -- "$spec" "$ROOT/man/$page" || { echo "$page does not give $spec" >&2; return 1; }
	if [ "$help" != - ] && ! "$help" --help | grep -qF -- "$spec"; then
		echo "$help --help does not give $spec" >&2
		return 1
	fi
	if [ "${WITH:-0}" = 1 ]; then
		want=$(sed 's/\[//; s/\]//' <<< "$spec" | awk -F'<TAB>' '{ print NF }')
	else
		want=$(sed 's/\[.*\]//' <<< "$spec" | awk -F'<TAB>' '{ print NF }')
	fi
	[ -s "$file" ] || { echo "$file is empty" >&2; return 1; }
	if ! awk -F'\t' -v n="$want" 'NF != n { print FILENAME ":" FNR ": " NF " columns, not " n; bad = 1 }
		END { exit bad }' "$file" >&2; then
		echo "for $spec" >&2
		return 1
	fi
}

@test "docs: every output's columns are as its man page and --help say" {
	make_model
	printf '0\tzero\n1\tone\n2\ttwo\n3\tthree\n4\tfour\n' > vocab.tsv
	bpr-score -m model.bpr --top 3 --user 1 --user 2 > top.tsv
	bpr-score -m model.bpr --top 3 --user 1 --titles titles.tsv > top-titles.tsv
	bpr-score -m model.bpr --similar-items 3 --top 4 > sim.tsv
	bpr-score -m model.bpr --similar-items 3 --top 4 --titles titles.tsv > sim-titles.tsv
	bpr-score -m model.bpr --similar-users 2 --top 4 > simu.tsv
	bpr-score -m model.bpr --cold-item 1,2 > cold.tsv
	bpr-score -m model.bpr --cold-item 1,2 --top 3 > cold-top.tsv
	bpr-score -m model.bpr --map items --titles titles.tsv --vocab vocab.tsv > map.tsv
	bpr-score -m model.bpr --map tags --vocab vocab.tsv > map-tags.tsv
	head -5 test.tsv | bpr-score -m model.bpr > pairs.tsv
	auc -m model.bpr --per-user per-user.tsv test.tsv > auc.tsv
	sed 1d auc.tsv > metrics.tsv
	ml-genres -q -o it.tsv --vocab v.tsv --titles t.tsv "$(make_catalogue)"
	ml-split -q -o tr.tsv -t te.tsv all.data
	columns 'user<TAB>rank<TAB>item<TAB>score[<TAB>title]' bpr-score.1 bpr-score top.tsv
	WITH=1 columns 'user<TAB>rank<TAB>item<TAB>score[<TAB>title]' bpr-score.1 bpr-score top-titles.tsv
	columns 'ID<TAB>rank<TAB>item<TAB>cosine[<TAB>title]' bpr-score.1 bpr-score sim.tsv
	WITH=1 columns 'ID<TAB>rank<TAB>item<TAB>cosine[<TAB>title]' bpr-score.1 bpr-score sim-titles.tsv
	columns 'ID<TAB>rank<TAB>user<TAB>cosine' bpr-score.1 bpr-score simu.tsv
	columns 'user<TAB>TAGS<TAB>score' bpr-score.1 bpr-score cold.tsv
	columns 'TAGS<TAB>rank<TAB>user<TAB>score' bpr-score.1 bpr-score cold-top.tsv
	columns 'id<TAB>x<TAB>y<TAB>tag<TAB>name<TAB>title' bpr-score.1 bpr-score map.tsv
	columns 'id<TAB>dx<TAB>dy<TAB>name' bpr-score.1 bpr-score map-tags.tsv
	columns 'user<TAB>item<TAB>score' bpr-score.1 bpr-score pairs.tsv
	columns 'user<TAB>auc' auc.1 auc per-user.tsv
	columns 'metric<TAB>value' auc.1 auc metrics.tsv
	columns 'item<TAB>tag' ml-genres.1 ml-genres it.tsv
	columns 'tag<TAB>name' ml-genres.1 ml-genres v.tsv
	columns 'item<TAB>title' ml-genres.1 ml-genres t.tsv
	columns 'user<TAB>item<TAB>rating<TAB>timestamp' ml-split.1 - tr.tsv
	# the log's header is the page's, name for name
	bpr-train -q --train train.tsv --eval test.tsv --epochs 1 --log log.tsv -o m.bpr
	grep -qF "$(head -1 log.tsv | sed 's/\t/<TAB>/g')" "$ROOT/man/bpr-train.1"
}

# A u.item of 12 movies and its u.genre; prints the u.item path.
make_catalogue() {
	mkdir -p cat
	printf 'unknown|0\nAction|1\nComedy|2\n\n' > cat/u.genre
	awk 'BEGIN { for (i = 1; i <= 12; i++)
		printf "%d|Movie %d (19%02d)|01-Jan-19%02d||http://x/%d|%d|%d|%d\n",
			i, i, i, i, i, i % 5 == 0, i % 2, i % 3 == 0 }' > cat/u.item
	echo cat/u.item
}

@test "docs: counts in messages agree with their nouns (1 epoch, 1 field)" {
	make_split
	run --separate-stderr triplet-sample --epochs 1 -o t.bin train.tsv
	[[ "$stderr" == *"; 1 epoch of "*" triplets" ]]
	run --separate-stderr bpr-train --train train.tsv --epochs 1 -o m.bpr
	grep -q ', 1 epoch, seed 1, 1 thread$' <<< "$stderr"
	grep -q 'wrote m.bpr (1 epoch, ' <<< "$stderr"
	printf 'movieId,title,genres\n1\n' > m.csv
	bad 1 'm.csv:2: 1 field, expected 3' ml-genres -o out.tsv m.csv
	printf '1\t2\t0.5\n1\n' > s.tsv
	bad 1 's.tsv:2: 1 field, expected 3' auc --scores s.tsv test.tsv
}

@test "docs: README and the man pages speak of what was measured, not of tickets" {
	not grep -niE '\bissues? [0-9]|ticket' "$ROOT/README.md" "$ROOT"/man/*.[1-9]
}

@test "docs: bprtools(7)'s step-by-step example trains make experiment's model, to the top 5" {
	need_ml100k
	cp "$ML100K/u.data" "$ML100K/u.item" "$ML100K/u.genre" .
	# the example's lines, prompts and the mdoc escape of \ undone
	sed -n '/step by step/,/^\.Ed/p' "$ROOT/man/bprtools.7" | sed -n '/^\$ /,/^\.Ed/p' |
		sed '/^\.Ed/d; s/^\$ //; s/\\e$/\\/' > example.sh
	cat example.sh
	bash -e example.sh > example.out 2> example.err
	# (without gnuplot it fails after writing everything but the pictures)
	make -s -C "$ROOT" experiment ML100K="$ML100K" OUT="$BATS_TEST_TMPDIR/exp" > /dev/null 2>&1 || true
	[ -s exp/top5-user600.tsv ]
	# the same model: bpr-score's top 5 lines end the example's output
	tail -5 example.out > example-top5.tsv
	cmp example-top5.tsv exp/top5-user600.tsv
	cmp <(bpr-score -m model.bpr --dump items) <(bpr-score -m exp/model.bpr --dump items)
}

@test "docs: a machine without libcsv is told the one command that installs it, before any compile" {
	# a compiler that finds every header but csv.h
	mkdir -p fake
	cat > fake/cc <<-'EOS'
	#!/bin/sh
	input=$(cat)
	case $input in *csv.h*) exit 1 ;; esac
	printf '%s\n' "$input" | exec cc "$@"
	EOS
	chmod +x fake/cc
	run --separate-stderr env NO_INSTALL=1 CC="$PWD/fake/cc" "$ROOT/pipelines/deps.sh" build
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"make build needs: libcsv-dev"* ]]
	[[ "$stderr" == *"install them with: sudo apt-get install libcsv-dev"* ]]
	# through make: it stops there, before compiling anything
	run --separate-stderr env NO_INSTALL=1 make -s -C "$ROOT" CC="$PWD/fake/cc" BUILD="$PWD/b" BIN="$PWD/bin" all
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"install them with: sudo apt-get install libcsv-dev"* ]]
	[ ! -e b ]
	# and a complete machine passes
	NO_INSTALL=1 "$ROOT/pipelines/deps.sh" build
}

@test "docs: README's and bprtools(7)'s GNU parallel shards run as written and give one run's output" {
	need_command parallel
	make_split 60 80
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --item-dim 6 --tag-dim 2 --epochs 4 \
		--seed 3 -o model.bpr
	# README: the command lines of "Scaling out" (the Slurm one is make slurm-experiment's test)
	sed -n '/^## Scaling out/,/^## [^S]/p' "$ROOT/README.md" |
		sed -n 's/^    \(parallel\|auc\|cat\) /\1 /p' > readme.sh
	cat readme.sh
	[ "$(wc -l < readme.sh)" -eq 4 ]
	HOSTS=: bash -e readme.sh > readme.out
	auc -m model.bpr --exclude train.tsv -k 10 test.tsv | cmp - readme.out
	bpr-score -m model.bpr --top 10 --all-users --exclude train.tsv | sort | cmp - <(sort top10.tsv)
	# bprtools(7): its example's lines, prompts and the mdoc escape of \ undone
	sed -n '/^\.Ss Beyond one machine/,/^\.Sh/p' "$ROOT/man/bprtools.7" | sed -n '/^\.Bd/,/^\.Ed/p' |
		sed '/^\.[BE]d/d; s/^\$ //; s/\\e$/\\/' > man.sh
	cat man.sh
	rm part.*
	HOSTS=: bash -e man.sh > man.out
	cmp readme.out man.out
}
