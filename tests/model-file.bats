#!/usr/bin/env bats
# The model file refuses damage: truncation, flipped bytes, wrong magic,
# newer versions, each with a clear message; and every single flipped
# byte of a small model is caught.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	make_split 12 15
	# per-value Adagrad: its sums of squares (user.v) are a table the tests damage
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --item-dim 4 --tag-dim 2 \
		--epochs 2 --optimizer adagrad -o model.bpr
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

@test "model file: read from a pipe or through gzip, a model of megabytes scores as from its file" {
	# the size of a pipe or a gzip stream is not known beforehand: read in growing pieces
	awk 'BEGIN { for (u = 1; u <= 5000; u++) print u "\t" u % 13 + 1 }' > many.tsv
	bpr-train -q --train many.tsv --item-dim 128 --epochs 1 -o big.bpr
	[ "$(stat -c %s big.bpr)" -gt 2000000 ]
	bpr-score -m big.bpr --all-users --top 5 > want.tsv
	bpr-score -m <(cat big.bpr) --all-users --top 5 > piped.tsv
	gzip -c big.bpr > big.bpr.gz
	bpr-score -m big.bpr.gz --all-users --top 5 > gzipped.tsv
	[ "$(wc -l < want.tsv)" -eq 25000 ]
	cmp want.tsv piped.tsv
	cmp want.tsv gzipped.tsv
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

@test "model file: a newer format version is refused; a damaged version byte is damage" {
	"$UNIT/model-craft" model.bpr new.bpr version 2
	bad 1 'new.bpr: model format version 2 is newer than this program reads \(1\)' auc -m new.bpr test.tsv
	# the same bytes without the header's CRC made anew: the CRC is checked first
	{ head -c 8 model.bpr; printf '\x02\x00\x00\x00'; tail -c +13 model.bpr; } > flip.bpr
	cmp -s new.bpr flip.bpr && return 1
	bad 1 'flip.bpr: corrupt model header \(CRC mismatch\)' auc -m flip.bpr test.tsv
}

# refused CRAFT PATTERN: the model crafted by model-craft's ops (CRCs made
# anew) is refused with status 1 by auc, bpr-score and bpr-train --init,
# each naming what is wrong.
refused() {
	local pattern=$1
	shift
	"$UNIT/model-craft" model.bpr c.bpr "$@"
	bad 1 "c.bpr: $pattern" auc -m c.bpr test.tsv
	bad 1 "c.bpr: $pattern" bpr-score -m c.bpr --dump users
	bad 1 "c.bpr: $pattern" bpr-score -m c.bpr --top 3 --user 1
	bad 1 "c.bpr: $pattern" bpr-train --init c.bpr --train train.tsv --epochs 1 -o out.tsv
}

@test "model file: with valid CRCs, every count, offset and shape is still checked" {
	size=$(stat -c %s model.bpr)
	refused 'corrupt or truncated model header' count 9999
	refused 'model file is truncated' size $((size + 1))
	refused 'model file is too long' size $((size - 1))
	refused "corrupt model directory \\(table 3\\)" dir user rows 99999999
	refused "corrupt model directory \\(table 3\\)" dir user cols 5
	refused "corrupt model directory \\(table 3\\)" dir user dtype 9
	refused "corrupt model directory \\(table 1\\)" dir user.id offset 0
	refused "corrupt model directory \\(table 1\\)" dir user.id bytes 4
	refused "corrupt model directory \\(table 0\\)" dir meta offset 18446744073709551615
	refused "table 'user' has the wrong type or shape" dir user dtype 2
}

@test "model file: with valid CRCs, every id and tag list is still checked" {
	refused "table 'user.id' is not a list of ascending ids" u32 user.id 1 1
	refused "table 'item.id' is not a list of ascending ids" u32 item.id 0 4294967295
	refused "an item has tag 999, but the model has 5 tags" u32 item.tags 0 999
	refused 'corrupt item tag lists' u32 item.tags.start 1 999999
	refused "table 'catalogue.tags' names tag 100000000, but the model has 5 tags" \
		u32 catalogue.tags 0 100000000
	refused 'corrupt catalogue' u32 catalogue.start 1 999999
	refused "the model's description \\(table 'meta'\\) is incomplete or out of range" text meta item_dim=4 item_dim=0
	refused "the model's description \\(table 'meta'\\) is incomplete or out of range" text meta tag_mode=mean tag_mode=meat
}

@test "model file: with valid CRCs, a NaN, an infinity or a negative sum of squares is refused" {
	refused "table 'user' holds a value that is not a finite number \\(nan\\)" f32 user 0 nan
	refused "table 'item' holds a value that is not a finite number \\(inf\\)" f32 item 3 inf
	refused "table 'tag' holds a value that is not a finite number \\(-inf\\)" f32 tag 1 -inf
	refused "table 'item.bias' holds a value that is not a finite number" f32 item.bias 0 nan
	refused "table 'user.v' holds a negative sum of squares" f32 user.v 2 -1
	refused "table 'item.v' holds a value that is not a finite number" f32 item.v 0 nan
	refused "table 'item.tags.scale' holds 0, not a positive finite number" f32 item.tags.scale 0 0
	# an optimiser state of the wrong type is refused, not taken for absent
	refused "table 'user.v' has the wrong type or shape" dir user.v dtype 2
	# one accumulator a row (rowadagrad)
	bpr-train -q --train train.tsv --optimizer rowadagrad --epochs 1 --item-dim 4 --tag-dim 0 -o model.bpr
	refused "table 'item.rv' holds a negative sum of squares" f32 item.rv 2 -1
	refused "table 'user.rv' holds a value that is not a finite number" f32 user.rv 0 inf
	# Keras Adam's per-row steps may not run ahead of the model's
	bpr-train -q --train train.tsv --optimizer adam --epochs 1 --item-dim 4 --tag-dim 0 -o model.bpr
	refused "table 'user.last' has row 0 at step 999999, after the model's step" u64 user.last 0 999999
	refused "table 'item.m' holds a value that is not a finite number" f32 item.m 1 nan
}

@test "model file: with valid CRCs, a value whose scores could overflow is refused; at the limit every item scores" {
	refused "table 'item' holds 2e\\+06, beyond the \\+-1e\\+06 a model's value may reach" f32 item 3 2e6
	refused "table 'tag' holds -3e\\+38, beyond the \\+-1e\\+06" f32 tag 1 -3e38
	refused "table 'item.bias' holds 1e\\+07, beyond the \\+-1e\\+06" f32 item.bias 0 1e7
	refused "table 'item.tags.scale' holds 2e\\+06, not a positive finite number up to 1e\\+06" \
		f32 item.tags.scale 0 2e6
	# an optimiser's sum of squares is no score: it may be large
	"$UNIT/model-craft" model.bpr big.bpr f32 item.v 0 1e12
	bpr-score -m big.bpr --dump items > /dev/null
	# user, item and tag values at +-1e6, of both signs where they meet: an
	# infinity less an infinity would be a NaN score, and its item dropped
	cp model.bpr edge.bpr
	for op in "user 0 1e6" "user 1 -1e6" "user 4 1e6" "user 5 1e6" "item 0 1e6" "item 1 1e6" \
		"tag 0 1e6" "tag 1 -1e6" "tag 2 1e6" "tag 3 1e6" "item.bias 0 1e6"; do
		# shellcheck disable=SC2086 # table, element, value
		"$UNIT/model-craft" edge.bpr next.bpr f32 $op
		mv next.bpr edge.bpr
	done
	items=$(bpr-score -m edge.bpr --dump items | wc -l)
	user=$(bpr-score -m edge.bpr --dump users | head -1 | cut -f1)
	bpr-score -m edge.bpr --top "$items" --user "$user" > top.tsv
	[ "$(wc -l < top.tsv)" -eq "$items" ]
	awk -F'\t' '{ s = $4 + 0; if (s != s || s > 3e38 || s < -3e38) { print "not finite: " $0; bad = 1 } }
		END { exit bad }' top.tsv
	auc -m edge.bpr test.tsv > /dev/null
}

@test "model file: every byte of a small model, flipped, is refused, and every truncation" {
	run "$UNIT/model-flip" model.bpr
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 accepted" ]]
	# an Adam model's two moments and the 64-bit step each row was last
	# moved at; lazy Adam's rows were moved at many steps (Keras Adam brings
	# all to the last), so a flipped low bit names a step that could be, and
	# only the table's CRC tells
	bpr-train -q --train train.tsv --optimizer lazyadam --batch 4 --epochs 2 --item-dim 2 \
		--tag-dim 0 -o adam.bpr
	"$UNIT/model-tables" adam.bpr | grep -q '^user.last	3	'
	run "$UNIT/model-flip" adam.bpr
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 accepted" ]]
}

@test "model file: --init refuses a damaged model too" {
	head -c 500 model.bpr > cut.bpr
	bad 1 'cut.bpr: ' bpr-train --train train.tsv --init cut.bpr -o out.tsv
}
