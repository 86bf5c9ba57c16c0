#!/usr/bin/env bats
# Every TSV input passes over the lines that hold no record: empty lines,
# lines of only spaces and tabs, and # comments (bpr-formats(5)). Each
# test feeds a tool the same records with such lines between them and
# expects the same output.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	make_model
}

# noisy FILE: FILE with an empty, a blank and a comment line before every third line.
noisy() {
	awk 'NR % 3 == 1 { print ""; print " \t "; print "# a note" } { print }' "$1"
}

@test "records: positives, --items and item tags, read by triplet-sample and bpr-train" {
	noisy train.tsv > n-train.tsv
	noisy item-tags.tsv > n-tags.tsv
	cut -f1 titles.tsv > items.txt
	noisy items.txt > n-items.txt
	triplet-sample -q --tsv --epochs 2 --items items.txt -o clean.tsv train.tsv
	triplet-sample -q --tsv --epochs 2 --items n-items.txt -o out.tsv n-train.tsv
	# the header names the input and its CRC; the triplets are the same
	cmp <(sed 1d clean.tsv) <(sed 1d out.tsv)
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --item-dim 4 --epochs 2 -o a.bpr
	bpr-train -q --train n-train.tsv --item-tags n-tags.tsv --item-dim 4 --epochs 2 -o b.bpr
	cmp <(bpr-score -m a.bpr --dump items) <(bpr-score -m b.bpr --dump items)
}

@test "records: a TSV triplet stream" {
	triplet-sample -q --tsv --epochs 2 -o t.tsv train.tsv
	# the header and the #epoch markers stay where they are
	awk 'NR > 1 && !/^#epoch/ && NR % 3 == 1 { print ""; print " \t "; print "# a note" } { print }' \
	    t.tsv > n.tsv
	[ "$(wc -l < n.tsv)" -gt "$(wc -l < t.tsv)" ]
	bpr-train -q --item-dim 4 -o a.bpr t.tsv
	bpr-train -q --item-dim 4 -o b.bpr n.tsv
	cmp <(bpr-score -m a.bpr --dump items) <(bpr-score -m b.bpr --dump items)
}

@test "records: bpr-score's pairs, users, titles and vocabulary" {
	head -20 test.tsv > pairs.tsv
	bpr-score -m model.bpr < pairs.tsv > clean.tsv
	noisy pairs.tsv | bpr-score -m model.bpr > out.tsv
	cmp clean.tsv out.tsv
	[ "$(wc -l < out.tsv)" -eq 20 ]
	printf '1\n2\n3\n4\n' > users.txt
	bpr-score -m model.bpr --top 3 < users.txt > clean.tsv
	noisy users.txt | bpr-score -m model.bpr --top 3 > out.tsv
	cmp clean.tsv out.tsv
	printf '0\tzero\n1\tone\n2\ttwo\n3\tthree\n4\tfour\n' > vocab.tsv
	noisy titles.tsv > n-titles.tsv
	noisy vocab.tsv > n-vocab.tsv
	bpr-score -m model.bpr --map items --titles titles.tsv --vocab vocab.tsv > clean.tsv
	bpr-score -m model.bpr --map items --titles n-titles.tsv --vocab n-vocab.tsv > out.tsv
	cmp clean.tsv out.tsv
}

@test "records: auc's test positives, --exclude and --scores" {
	auc -m model.bpr --exclude train.tsv -k 5 test.tsv > clean.tsv
	noisy test.tsv > n-test.tsv
	noisy train.tsv > n-train.tsv
	auc -m model.bpr --exclude n-train.tsv -k 5 n-test.tsv > out.tsv
	# the # line names the files; the metrics are the same
	cmp <(sed 1d clean.tsv) <(sed 1d out.tsv)
	awk -F'\t' 'NR == FNR { item[$1]; next } { for (i in item) print $1 "\t" i }' \
	    titles.tsv <(cut -f1 test.tsv | sort -u) | bpr-score -m model.bpr > scores.tsv
	noisy scores.tsv > n-scores.tsv
	auc --scores scores.tsv test.tsv > clean.tsv
	auc --scores n-scores.tsv test.tsv > out.tsv
	cmp <(sed 1d clean.tsv) <(sed 1d out.tsv)
}

@test "outputs: each commit frees its temporary file's slot; 64 open at once, a 65th refused, not overrun" {
	mkdir d
	run "$UNIT/output-registry" d
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	[ "$(ls d | grep -c '^seq')" -eq 200 ]
	# every aborted output left nothing
	[ -z "$(ls -A d | grep -v '^seq')" ]
}

@test "records: a file whose lines grow or shrink past its first thousands is read whole (the size estimate is only room)" {
	# 5,000 short lines then 15,000 long ones, and the other way round: the
	# first 4,096 lines make a wrong guess of the count either way
	awk 'BEGIN { for (i = 0; i < 5000; i++) print i % 9 + 1 "\t" i % 7 + 1
		     for (i = 0; i < 15000; i++) print 100000000 + i "\t" 200000000 + i }' > short-first.tsv
	awk 'BEGIN { for (i = 0; i < 5000; i++) print 100000000 + i "\t" 200000000 + i
		     for (i = 0; i < 15000; i++) print i % 9 + 1 "\t" i % 7 + 1 }' > long-first.tsv
	bpr-train -q --train short-first.tsv --epochs 1 --item-dim 4 -o m.bpr
	for f in short-first.tsv long-first.tsv; do
		want=$(sort -u "$f" | wc -l)
		auc -m m.bpr "$f" > a.tsv
		grep -q "test positives: $want (0 not rankable)" a.tsv || { head -1 a.tsv; echo "want $want"; return 1; }
	done
	# the training users: every distinct user of the long-first file
	bpr-train -q --train long-first.tsv --epochs 1 --item-dim 4 -o m2.bpr
	[ "$(bpr-score -m m2.bpr --dump users | wc -l)" -eq "$(cut -f1 long-first.tsv | sort -u | wc -l)" ]
}
