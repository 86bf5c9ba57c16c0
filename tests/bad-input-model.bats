#!/usr/bin/env bats
# Bad input for the model stage (bpr-train, bpr-score, auc), one case a
# line, checked as in bad-input.bats: status, the file:line or option
# named on stderr, out.tsv and out2.tsv untouched, no temporary file left.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	make_model 12 15
	triplet-sample -q --epochs 2 -o t.bin train.tsv
	triplet-sample -q --tsv --epochs 2 -o t.tsv train.tsv
}

train() { bpr-train -q --item-dim 4 --tag-dim 0 -o out.tsv "$@"; }

# --- bpr-train: the triplet stream ---
@test "bpr-train: interactions given as a stream" { bad 1 '^bpr-train: train.ratings:1: 4 fields, expected 3' train train.ratings; }
@test "bpr-train: a model given as a stream"      { bad 1 'model.bpr: is a bprtools model file, not a triplet stream' train model.bpr; }
@test "bpr-train: truncated binary stream"        { head -c 100 t.bin > cut.bin; bad 1 'cut.bin: truncated triplet stream' train cut.bin; }
@test "bpr-train: binary stream cut mid-record"   { head -c $(( $(stat -c %s t.bin) - 5 )) t.bin > cut.bin; bad 1 'cut.bin: truncated triplet stream \(a partial record' train cut.bin; }
@test "bpr-train: a stream missing an epoch"      { head -c $(( $(stat -c %s t.bin) - 12 )) t.bin > cut.bin; bad 1 'cut.bin: truncated triplet stream: epoch 2' train cut.bin; }
@test "bpr-train: corrupt epoch marker"           { sed 's/^#epoch 1 .*/#epoch 1 3/' t.tsv > bad.tsv; bad 1 'bad.tsv:[0-9]+: corrupt triplet stream: end of epoch 1 with 3' train bad.tsv; }
@test "bpr-train: newer stream version" {
	(head -c 8 t.bin; printf '\x09\x00\x00\x00'; tail -c +13 t.bin) > v.bin
	bad 1 'v.bin: triplet stream version 9' train v.bin
}
@test "bpr-train: id beyond 2^31-1 in a stream"   { printf '1\t2\t3000000000\n' > big.tsv; bad 1 "big.tsv:1: negative item id '3000000000' is beyond" train big.tsv; }
@test "bpr-train: TSV triplet with 2 fields"      { printf '1\t2\n' > two.tsv; bad 1 'two.tsv:1: 2 fields, expected 3' train two.tsv; }
@test "bpr-train: gzip stream truncated"          { gzip -c t.tsv | head -c 60 > t.tsv.gz; bad 1 't.tsv.gz: truncated gzip' train t.tsv.gz; }
@test "bpr-train: a gzip stream with bytes appended"  { gzip -c t.tsv > t.tsv.gz; printf '1\t2\n' >> t.tsv.gz; bad 1 't.tsv.gz: the bytes after gzip member 1 are not a gzip member' train t.tsv.gz; }
@test "bpr-train: empty stream"                   { : > empty; bad 1 'empty: is empty, not a triplet stream' train empty; }
@test "bpr-train: fewer epochs than --epochs"     { bad 1 'the stream holds 2 epochs; --epochs asks for 5' train --epochs 5 t.bin; }
# --- bpr-train: other inputs ---
@test "bpr-train: item tags with a huge tag id"   { printf '1\t2147483647\n' > tags.tsv; bad 1 'tag id 2147483647 is too large' train --tag-dim 2 --item-tags tags.tsv t.bin; }
@test "bpr-train: item tags malformed"            { printf '1\tx\n' > tags.tsv; bad 1 "tags.tsv:1: tag id 'x' is not" train --item-tags tags.tsv t.bin; }
@test "bpr-train: a stream as --eval"             { bad 1 't.bin: is a binary triplet stream, not interactions' train --eval t.bin t.bin; }
@test "bpr-train: a triplet TSV as --train"       { bad 1 't.tsv: is a TSV triplet stream, not interactions' train --train t.tsv; }
@test "bpr-train: --init with a damaged model"    { head -c 300 model.bpr > cut.bpr; bad 1 'cut.bpr: ' train --init cut.bpr --train train.tsv; }
@test "bpr-train: divergence writes no model"     { bad 1 'training diverged .*try a smaller --lr' bpr-train -q --train train.tsv --optimizer sgd --lr 100 --loss bpr --epochs 50 --item-dim 8 -o out.tsv; }
# --- bpr-train: options ---
@test "bpr-train: --item-dim 0"                   { bad 2 '--item-dim 0 is out of range' train --train train.tsv --item-dim 0; }
@test "bpr-train: negative --lr"                  { bad 2 "--lr -0.1 is out of range" train --train train.tsv --lr -0.1; }
@test "bpr-train: --epochs beyond reason"         { bad 2 '--epochs 100001 is out of range' train --train train.tsv --epochs 100001; }
@test "bpr-train: --batch 0"                      { bad 2 '--batch 0 is out of range' train --train train.tsv --batch 0; }
@test "bpr-train: unknown loss"                   { bad 2 '--loss cosine: unknown \(expected notebook, bpr, warp or hinge\)' train --train train.tsv --loss cosine; }
@test "bpr-train: unknown optimiser"              { bad 2 '--optimizer rmsprop: unknown' train --train train.tsv --optimizer rmsprop; }
@test "bpr-train: stream and --train together"    { bad 2 'give a triplet stream or --train positives, not both' train --train train.tsv t.bin; }
@test "bpr-train: no triplets at all"             { bad 2 'no triplets: give a triplet stream' train; }
@test "bpr-train: no -o"                          { bad 2 'no model file given' bpr-train t.bin; }
@test "bpr-train: --patience without --valid"     { bad 2 '--patience needs --valid' train --train train.tsv --patience 3; }
@test "bpr-train: --neg with a stream"            { bad 2 '--neg, --items and --seen choose how --train samples' train --neg uniform t.bin; }
@test "bpr-train: --init with --item-tags"        { bad 2 '--init resumes with the model.s own item tags' train --init model.bpr --item-tags item-tags.tsv --train train.tsv; }
@test "bpr-train: unknown --compat"               { bad 2 '--compat keras: unknown' train --compat keras --train train.tsv; }
@test "bpr-train: unknown --schedule"             { bad 2 '--schedule fast: unknown' train --schedule fast --train train.tsv; }
# --- bpr-score ---
@test "bpr-score: unknown user in a pair"         { printf '1\t1\n99999\t1\n' > p.tsv; bad 1 'stdin:2: user 99999 is not in the model' bpr-score -m model.bpr < p.tsv; }
@test "bpr-score: unknown item in a pair"         { printf '1\t99999\n' > p.tsv; bad 1 'stdin:1: item 99999 is not in the model' bpr-score -m model.bpr < p.tsv; }
@test "bpr-score: malformed pair"                 { printf '1 2\n' > p.tsv; bad 1 'stdin:1: 1 field, expected at least 2' bpr-score -m model.bpr < p.tsv; }
@test "bpr-score: unknown --user for --top"       { bad 1 'user 99999 is not in the model' bpr-score -m model.bpr --top 3 --user 99999; }
@test "bpr-score: unknown --similar-items id"     { bad 1 'item 99999 is not in the model' bpr-score -m model.bpr --similar-items 99999; }
@test "bpr-score: --cold-item with an unknown tag" { bad 1 'tag 77 is not in the model' bpr-score -m model.bpr --cold-item 1,77; }
@test "bpr-score: --cold-item not a list"         { bad 2 "--cold-item: id 'x' is not" bpr-score -m model.bpr --cold-item 1,x; }
@test "bpr-score: --top larger than the catalogue" { bad 2 '--top 1000 is more than the model.s 15 items' bpr-score -m model.bpr --top 1000 --user 1; }
@test "bpr-score: two queries at once"            { bad 2 'different queries: give one' bpr-score -m model.bpr --similar-items 1 --dump users; }
@test "bpr-score: unknown --dump"                 { bad 2 '--dump weights: unknown \(expected users, items or tags\)' bpr-score -m model.bpr --dump weights; }
@test "bpr-score: no model"                       { bad 2 'no model given' bpr-score --dump users; }
@test "bpr-score: --user and --all-users"         { bad 2 'both choose users' bpr-score -m model.bpr --top 2 --user 1 --all-users; }
@test "bpr-score: ratings given as a model"       { bad 1 'all.data: not a bprtools model \(bad magic number\)' bpr-score -m all.data --dump users; }
@test "bpr-score: titles malformed"               { printf 'x\ty\n' > t.txt; bad 1 "t.txt:1: item id 'x' is not" bpr-score -m model.bpr --top 2 --user 1 --titles t.txt; }
@test "bpr-score: unknown --map"                  { bad 2 '--map weights: unknown \(expected items or tags\)' bpr-score -m model.bpr --map weights; }
@test "bpr-score: --vocab without --map"          { bad 2 '--vocab names tags for --map and --projector' bpr-score -m model.bpr --top 2 --user 1 --vocab v.tsv; }
@test "bpr-score: --map and --projector at once"  { bad 2 'different queries: give one' bpr-score -m model.bpr --map items --projector p; }
@test "bpr-score: vocabulary malformed"           { printf '0\tzero\nx\ty\n' > v.tsv; bad 1 "v.tsv:2: tag id 'x' is not" bpr-score -m model.bpr --map tags --vocab v.tsv; }
@test "bpr-score: --projector under a file"       { bad 1 'out.tsv/p: Not a directory' bpr-score -m model.bpr --projector out.tsv/p; }
# --- auc ---
@test "auc: -k larger than the catalogue"         { bad 2 '-k 500 is more than the 15 items ranked' auc -m model.bpr -k 500 test.tsv; }
@test "auc: -k 0"                                 { bad 2 '-k 0 is out of range' auc -m model.bpr -k 0 test.tsv; }
@test "auc: -m and --scores together"             { bad 2 'two sources of scores' auc -m model.bpr --scores s.tsv test.tsv; }
@test "auc: --compat without a model"             { bad 2 '--compat notebook chooses what a model ranks' auc --compat notebook --scores s.tsv test.tsv; }
@test "auc: a score that is not a number"         { printf '1\t2\tnan\n' > s.tsv; bad 1 "s.tsv:1: score 'nan' is not a number" auc --scores s.tsv test.tsv; }
@test "auc: an infinite score"                    { printf '1\t2\t1e999\n' > s.tsv; bad 1 "s.tsv:1: score '1e999'" auc --scores s.tsv test.tsv; }
@test "auc: a pair scored twice"                  { printf '1\t2\t0.5\n1\t2\t0.7\n' > s.tsv; bad 1 's.tsv:2: user 1, item 2 is scored twice' auc --scores s.tsv test.tsv; }
@test "auc: test users the model lacks"           { printf '5000\t1\n' > t2.tsv; bad 1 't2.tsv: no test user could be evaluated' auc -m model.bpr t2.tsv; }
@test "auc: a model given as the test set"        { bad 1 'model.bpr: is a bprtools model file, not interactions' auc -m model.bpr model.bpr; }
@test "auc: test with a negative id"              { printf '1\t-3\n' > t2.tsv; bad 1 "t2.tsv:1: item id '-3' is negative" auc -m model.bpr t2.tsv; }
@test "auc: two test files"                       { bad 2 'one test file only' auc -m model.bpr test.tsv test.tsv; }
