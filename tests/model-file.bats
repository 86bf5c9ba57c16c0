#!/usr/bin/env bats
# The model file refuses damage: truncation, flipped bytes, wrong magic,
# newer versions, each with a clear message; and every single flipped
# byte of a small model is caught.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	make_split 12 15
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --item-dim 4 --tag-dim 2 \
		--epochs 2 -o model.bpr
}

@test "model file: a truncated model is refused" {
	head -c $(( $(stat -c %s model.bpr) - 100 )) model.bpr > cut.bpr
	bad 1 'cut.bpr: model file is truncated' auc -m cut.bpr test.tsv
	head -c 20 model.bpr > cut.bpr
	bad 1 'cut.bpr: corrupt or truncated model header' auc -m cut.bpr test.tsv
}

@test "model file: one flipped byte in a table is refused" {
	cp model.bpr flip.bpr
	printf '\x7f' | dd of=flip.bpr bs=1 seek=$(( $(stat -c %s model.bpr) - 10 )) conv=notrunc 2>/dev/null
	bad 1 "flip.bpr: table '.*' is corrupt \\(CRC mismatch\\)" auc -m flip.bpr test.tsv
}

@test "model file: a flipped byte in the header is refused" {
	cp model.bpr flip.bpr
	printf '\x01' | dd of=flip.bpr bs=1 seek=40 conv=notrunc 2>/dev/null
	bad 1 'flip.bpr: corrupt model header \(CRC mismatch\)' bpr-score -m flip.bpr --dump users
}

@test "model file: a wrong magic number is refused" {
	{ printf 'NOTMODEL'; tail -c +9 model.bpr; } > magic.bpr
	bad 1 'magic.bpr: not a bprtools model \(bad magic number\)' auc -m magic.bpr test.tsv
	bad 1 'train.tsv: not a bprtools model' auc -m train.tsv test.tsv
}

@test "model file: a newer format version is refused" {
	{ head -c 8 model.bpr; printf '\x02\x00\x00\x00'; tail -c +13 model.bpr; } > new.bpr
	bad 1 'new.bpr: model format version 2 is newer than this program reads \(1\)' auc -m new.bpr test.tsv
}

@test "model file: every byte of a small model, flipped, is refused, and every truncation" {
	run "$UNIT/model-flip" model.bpr
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 accepted" ]]
}

@test "model file: --init refuses a damaged model too" {
	head -c 500 model.bpr > cut.bpr
	bad 1 'cut.bpr: ' bpr-train --train train.tsv --init cut.bpr -o out.tsv
}
