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
	[ "$(sed 1d out/results.tsv | wc -l)" -eq 7 ]
	# each way's AUCs are real, and the clean protocol is the kinder one
	sed 1d out/results.tsv | awk -F'\t' '$3 <= 0.8 || $5 <= $3 || $5 > 1 || $7 <= 0 { exit 1 }'
	grep -q '^| notebook' out/results.md
}
