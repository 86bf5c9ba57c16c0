#!/usr/bin/env bats
# make sweep and make results (pipelines/): on real ml-100k, skipped without.

load helpers

# An ml-100k with nothing but u.data and u.item: no ua.test to peek at.
bare_ml100k() {
	mkdir bare
	cp "$ML100K/u.data" "$ML100K/u.item" bare/
}

@test "sweep: a grid judged on validation only, as TSV and a sorted table" {
	need_ml100k
	bare_ml100k
	run env ML100K=bare OUT=out SEEDS="1 2" EPOCHS=2 LOSSES="notebook warp" OPTIMIZERS=adagrad \
		DIMS="8+2 10+0" L2S="0 0.001" NEGATIVES="unseen hard3" SEENS="0 0.3" \
		"$ROOT/pipelines/sweep.sh"
	echo "$output" | tail -5
	[ "$status" -eq 0 ]
	# notebook: 2 dims x 2 l2 x 2 negatives x 2 seen; warp: hard3 is its own sampling, so 8
	[ "$(sed 1d out/sweep.tsv | wc -l)" -eq 24 ]
	# best clean validation AUC first, ranks in order, every AUC a real one
	sed 1d out/sweep.tsv | awk -F'\t' '$1 != NR || $8 <= 0.5 || $8 > 1 { exit 1 }
		NR > 1 && $8 > last { exit 1 } { last = $8 }'
	[ "$(grep -c '^| [0-9]' out/sweep.md)" -eq 24 ]
	# both seen settings were run, each on every other grid point
	[ "$(sed 1d out/sweep.tsv | cut -f7 | sort | uniq -c | awk '{ print $1 }' | sort -u)" = 12 ]
	grep -q 'ua.test is' out/sweep.md
	[[ "$output" == *"best: $(awk -F'\t' 'NR == 2 { print $2, $3, $4 }' out/sweep.tsv)"* ]]
}

@test "sweep: the committed table marks bpr-train's defaults as its best row" {
	[ -f "$ROOT/pipelines/sweep/sweep.md" ]
	grep -q '^| 1 \*\*default\*\* |' "$ROOT/pipelines/sweep/sweep.md"
}

@test "results: every way trained and judged under both protocols" {
	need_ml100k
	bare_ml100k
	run env ML100K=bare OUT=out SEEDS=1 "$ROOT/pipelines/results.sh"
	[ "$status" -eq 0 ]
	[ "$(sed 1d out/results.tsv | wc -l)" -eq 10 ]
	# each way's AUCs are real, and the clean protocol is the kinder one
	sed 1d out/results.tsv | awk -F'\t' '$3 <= 0.8 || $5 <= $3 || $5 > 1 || $7 <= 0 || $8 <= $7 { exit 1 }'
	grep -q '^| notebook' out/results.md
	grep -q '^| rank blend of the als-train and bpr-train defaults | `@blend`' out/results.md
	grep -q '^| rank blend of als-train and bpr-train with the ratings below 4 as seen | `@blend --seen @rated`' out/results.md
}

@test "sweep-als: a small grid, ranked by the stated rule" {
	need_ml100k
	bare_ml100k
	run env ML100K=bare OUT=out SEEDS=1 DIMS=8 ALPHA0S="0.2 0.4" LAMBDAS="0.02 0.2" SWEEPS=4 \
		TAGS="off sum:0.5" "$ROOT/pipelines/sweep-als.sh"
	echo "$output" | tail -3
	[ "$status" -eq 0 ]
	[ "$(sed 1d out/sweep-als.tsv | wc -l)" -eq 8 ]
	[ "$(wc -l < out/sweep-als-runs.tsv)" -eq 8 ]
	# both tag settings, each on every other grid point
	[ "$(sed 1d out/sweep-als.tsv | cut -f6 | sort | uniq -c | awk '{ print $1 }' | sort -u)" = 4 ]
	# rank 1: within 0.002 of the best clean AUC, and no such row has a better P@10 (3 decimals)
	sed 1d out/sweep-als.tsv | awk -F'\t' '{ auc[NR] = $7; p[NR] = sprintf("%.3f", $9); if ($7 > best) best = $7 }
		END { if (auc[1] < best - 0.002) exit 1
			for (i = 2; i <= NR; i++) if (auc[i] >= best - 0.002 && p[i] > p[1]) exit 1 }'
	[[ "$output" == *"chosen: dim $(awk -F'\t' 'NR == 2 { print $2, "alpha0", $3, "lambda", $4, "sweeps", $5, "tags", $6 }' out/sweep-als.tsv)"* ]]
}

@test "sweep-als: the committed table's choice is als-train's defaults" {
	[ -f "$ROOT/pipelines/sweep/sweep-als.tsv" ]
	read -r dim alpha0 lambda sweeps tags < <(awk -F'\t' 'NR == 2 { print $2, $3, $4, $5, $6 }' "$ROOT/pipelines/sweep/sweep-als.tsv")
	help=$(als-train --help)
	[[ "$help" == *"are made"*"(default ${tags%:*})"*"--tag-weight X"* ]]
	[[ "$help" == *"for mean"*"(default ${tags#*:})"* ]]
	[[ "$help" == *"--dim N           vector dimension (default $dim)"* ]]
	[[ "$help" == *"(default $alpha0)"* ]]
	[[ "$help" == *"L2 (default $lambda)"* ]]
	[[ "$help" == *"then items (default $sweeps)"* ]]
}

# A wrapper (make valgrind's hook) under which one kind of run fails.
failing_when() {
	printf '#!/bin/sh\ncase " $* " in *" %s "*) echo "planted failure" >&2; exit 1 ;; esac\nexec "$@"\n' "$1" > failing
	chmod +x failing
}

@test "sweep-als and results: a run that fails stops them with a message, and no table is written" {
	need_ml100k
	bare_ml100k
	failing_when "--alpha0 0.4"
	run env VALGRIND="$PWD/failing" ML100K=bare OUT=out SEEDS=1 DIMS=4 ALPHA0S="0.2 0.4" \
		LAMBDAS=0.02 SWEEPS=2 TAGS=off "$ROOT/pipelines/sweep-als.sh"
	echo "$output" | tail -3
	[ "$status" -eq 1 ]
	[[ "$output" == *"planted failure"* ]]
	[[ "$output" == *"sweep-als: some runs failed"* ]]
	[ ! -e out/sweep-als.tsv ] && [ ! -e out/sweep-als.md ]
	failing_when "--loss warp"
	run env VALGRIND="$PWD/failing" ML100K=bare OUT=out SEEDS=1 "$ROOT/pipelines/results.sh"
	echo "$output" | tail -3
	[ "$status" -ne 0 ]
	[[ "$output" == *"planted failure"* ]]
	[ ! -e out/results.tsv ] && [ ! -e out/results.md ]
}
