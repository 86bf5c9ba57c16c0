#!/usr/bin/env bats
# The fast code paths (fused batch-1 kernel, AVX2 and AVX-512 copies,
# blocked scoring) must give the same bits as the plain reference code they
# replaced: BPRTOOLS_REFERENCE=1 forces the reference path (the batch code,
# the baseline instruction set) for training and scoring, and
# BPRTOOLS_REFERENCE=avx2 the AVX2 copies where the processor has AVX-512.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	make_split 30 40
}

same_model() {	# args...: train on each path (fastest, AVX2 at most, reference) and compare the files
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --epochs 3 "$@" -o fast.bpr
	BPRTOOLS_REFERENCE=avx2 bpr-train -q --train train.tsv --item-tags item-tags.tsv --epochs 3 "$@" -o avx2.bpr
	BPRTOOLS_REFERENCE=1 bpr-train -q --train train.tsv --item-tags item-tags.tsv --epochs 3 "$@" -o ref.bpr
	cmp fast.bpr ref.bpr
	cmp avx2.bpr ref.bpr
}

@test "reference: the default training is bit-identical to the reference path" {
	same_model
}

@test "reference: every optimiser, batch 1, with biases, tags and weight decay" {
	for opt in sgd adagrad rowadagrad lazyadam adam; do
		same_model --optimizer $opt --batch 1 --bias --l2 0.3 --hard 1
	done
}

@test "reference: hard negatives, WARP, padded tag means and bigger batches" {
	same_model --hard 4
	same_model --loss warp --optimizer lazyadam --batch 1
	same_model --compat notebook
	same_model --optimizer adagrad --batch 16 --hard 2
}

@test "reference: blocked and shuffled schedules are each reproducible" {
	same_model --schedule blocked
	same_model --schedule shuffled
}

@test "reference: training's scores of a triplet and its hard candidates are the model's, by definition (kernel-check)" {
	# both paths share this scoring, so it is checked against a sum in double over the model's vectors
	run "$UNIT/kernel-check"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(grep -c '^ok item-dim' <<< "$output")" -eq 5 ]
	[[ "$output" == *"(16-float tag rows)"* && "$output" == *"(32-float tag rows)"* ]]
}

@test "reference: auc and bpr-score give the same numbers on either path" {
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --epochs 3 -o m.bpr
	auc -m m.bpr --exclude train.tsv -k 5 test.tsv > fast.txt
	BPRTOOLS_REFERENCE=1 auc -m m.bpr --exclude train.tsv -k 5 test.tsv > ref.txt
	cmp fast.txt ref.txt
	bpr-score -m m.bpr --top 5 --all-users > fast.txt
	BPRTOOLS_REFERENCE=1 bpr-score -m m.bpr --top 5 --all-users > ref.txt
	cmp fast.txt ref.txt
}

@test "reference: the blocked FMA scoring kernel gives fmaf's bits, in the dimension's order, on every path" {
	# widths 16-112, 1-1000 items (panel edges), 1-24 users (kernel steps of 6), with and without
	# biases, awkward values; and the vectorised top-k pass against a full sort
	run "$UNIT/score-check"
	echo "$output" | head -3
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^ok scores')" -eq 192 ]
	[ "$(echo "$output" | grep -c '^ok top')" -eq 7 ]
	BPRTOOLS_REFERENCE=1 "$UNIT/score-check" | grep -q '^kernel: reference'
	BPRTOOLS_REFERENCE=1 "$UNIT/score-check" > /dev/null
}

@test "reference: every copy of the AUC's placing (portable, AVX2, AVX-512) counts as the pairs' definition" {
	# 1-3000 positives (every depth of the search), 1-5003 scores (vector
	# edges), ties with positives, repeated positives, NaNs, infinities
	run "$UNIT/place-check"
	echo "$output" | grep -v '^ok' | head -5
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^ok portable')" -eq 168 ]
	[ "$(echo "$output" | grep -c '^not ok')" -eq 0 ]
	BPRTOOLS_REFERENCE=1 "$UNIT/place-check" | grep -q '^# avx2: not run'
}

@test "reference: bpr-score's pair scores are the kernel's: fmaf over the composed vector, then the bias" {
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --bias --epochs 3 -o m.bpr
	bpr-score -m m.bpr --top 5 --user 1 > top.tsv
	cut -f1,3 top.tsv | bpr-score -m m.bpr > scored.tsv
	# the kernel's scores and the one-pair path's, bit for bit (shortest text)
	[ "$(wc -l < scored.tsv)" -eq 5 ]
	cmp <(cut -f1,3,4 top.tsv) scored.tsv
}

@test "reference: the next epoch read while one trains changes no bit, from a file or a pipe" {
	# the fast path reads ahead when a processor is free; the reference reads each epoch in turn
	triplet-sample -q --epochs 4 --items item-tags.tsv train.tsv > trip.bin
	bpr-train -q --item-tags item-tags.tsv -o file.bpr trip.bin
	triplet-sample -q --epochs 4 --items item-tags.tsv train.tsv |
		bpr-train -q --item-tags item-tags.tsv -o pipe.bpr -
	BPRTOOLS_REFERENCE=1 bpr-train -q --item-tags item-tags.tsv -o ref.bpr trip.bin
	cmp file.bpr ref.bpr
	cmp pipe.bpr ref.bpr
}

@test "reference: a stream that breaks in an epoch read ahead fails as it did, leaving no model" {
	triplet-sample -q --epochs 4 --items item-tags.tsv train.tsv > trip.bin
	head -c $(( $(wc -c < trip.bin) * 5 / 8 )) trip.bin > cut.bin
	run --separate-stderr bpr-train -q --item-tags item-tags.tsv -o fast.bpr cut.bin
	[ "$status" -eq 1 ]
	fast_err=$stderr
	run --separate-stderr env BPRTOOLS_REFERENCE=1 bpr-train -q --item-tags item-tags.tsv -o ref.bpr cut.bin
	[ "$status" -eq 1 ]
	[ "$fast_err" = "$stderr" ]
	echo "$stderr" | grep -q truncated
	[ ! -e fast.bpr ]
}
