#!/usr/bin/env bats
# Under `make sanitize`, every tool's successful run is checked for leaks
# with LeakSanitizer (the suite runs with leak checking off, since a tool
# that exits on an error leaves its memory to exit(3)).

load helpers

setup() {
	[ -n "${BPR_SANITIZED:-}" ] || skip "leak checks run under make sanitize"
	cd "$BATS_TEST_TMPDIR" || return 1
	make_model
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
}

@test "leaks: data stage tools free everything" {
	make_udata 10 10 > u.data
	ml-split -q -o a.tsv -t b.tsv u.data
	# gzip of two members: the inflate state is freed too
	{ head -n 20 u.data | gzip -c; tail -n +21 u.data | gzip -c; } > u.data.gz
	ml-split -q -o a.gz.tsv -t b.gz.tsv u.data.gz
	cmp a.tsv a.gz.tsv
	# an archive of several members: README is none, ratings.csv a candidate, u.data the one
	if command -v zip > /dev/null; then
		mkdir -p z && cp u.data z/u.data && printf 'userId,movieId,rating,timestamp\n1,2,3,4\n' > z/ratings.csv && echo notes > z/README
		(cd z && zip -q ../both.zip README ratings.csv u.data)
		ml-split -q --scheme none -o c.tsv both.zip
		[ "$(wc -l < c.tsv)" -eq "$(wc -l < u.data)" ]
		# through a pipe the archive is held in memory
		cat both.zip | ml-split -q --scheme none -o d.tsv -
		cmp c.tsv d.tsv
	fi
	# a file of exactly the input buffer's size (1 MiB) whose last line has no
	# newline: the terminator needs one more byte than the buffer holds
	perl -e 'my $s = ""; my $u = 1; while (length($s) < 1048576 - 49) { $s .= sprintf("%d\t%d\t3\t881250949\n", $u % 500 + 1, int($u / 500) + 1); $u++ }
		my $r = 1048576 - length($s); my $a = int($r / 2);
		$s .= "9998\t1\t4\t" . ("1" x ($a - 10)) . "\n" . "9999\t1\t4\t" . ("1" x ($r - $a - 9)); print $s' > exact.data
	[ "$(wc -c < exact.data)" -eq 1048576 ]
	ml-split -q --scheme none -o e.tsv exact.data
	[ "$(wc -l < e.tsv)" -eq "$(( $(wc -l < exact.data) + 1 ))" ]
	# one line of exactly the buffer's size, without its newline: bad data, read in bounds
	perl -e 'print "1\t2\t3\t", "1" x (1048576 - 6)' > oneline.data
	bad 1 "oneline.data:1: timestamp '1111.*' is too large" ml-split -q --scheme none -o e2.tsv oneline.data
	# ids far apart: the item index is a hash map, freed like the dense one
	awk 'BEGIN { for (u = 1; u <= 9; u++) for (i = 0; i < 7; i++) print u "\t" 5000000 + i * 7919 "\t4\t" 880000000 + i }' > sparse.data
	ml-split -q --scheme leave-out --test-count 1 -o s1.tsv -t s2.tsv sparse.data
	printf '1|A|d||u|0|1\n' > u.item
	ml-genres -q --titles t.tsv u.item > /dev/null
	triplet-sample -q --epochs 2 --neg pop -o t.bin train.tsv
	triplet-sample -q --tsv --neg unseen --items item-tags.tsv -o t.tsv train.tsv
}

@test "leaks: bpr-train from a stream and in-process, with evaluation and early stopping" {
	triplet-sample -q --epochs 2 train.tsv | bpr-train -q --item-dim 4 --tag-dim 2 \
		--item-tags item-tags.tsv --eval test.tsv -o a.bpr -
	bpr-train -q --train train.tsv --epochs 3 --item-dim 4 --valid test.tsv --patience 1 \
		--checkpoint-every 2 --log log.tsv -o b.bpr
	bpr-train -q --train train.tsv --epochs 1 --init b.bpr -o c.bpr
	# ids past the id maps' direct array go to their hash, which grows
	awk 'BEGIN { for (u = 0; u < 200; u++) print 5000000 + u "\t" 5000000 + u % 70 }' > far.tsv
	bpr-train -q --train far.tsv --epochs 1 --item-dim 4 -o far.bpr
	auc -m far.bpr far.tsv > /dev/null
}

@test "leaks: auc and bpr-score in every mode" {
	auc -m model.bpr --exclude train.tsv --items titles.tsv -k 5 --per-user pu.tsv test.tsv > /dev/null
	auc -m model.bpr --compat notebook test.tsv > /dev/null
	bpr-score -m model.bpr --dump items | awk -F'\t' '{ print 1 "\t" $1 "\t" $2 }' > s.tsv
	auc --scores s.tsv test.tsv > /dev/null
	bpr-score -m model.bpr --top 3 --all-users --exclude train.tsv --titles titles.tsv > /dev/null
	bpr-score -m model.bpr --similar-items 2 > /dev/null
	bpr-score -m model.bpr --similar-users 2 > /dev/null
	bpr-score -m model.bpr --cold-item 1,2 --top 2 > /dev/null
	printf '1\t2\n' | bpr-score -m model.bpr > /dev/null
	printf '0\tzero\n1\tone\n' > vocab.tsv
	bpr-score -m model.bpr --map items --titles titles.tsv --vocab vocab.tsv > /dev/null
	bpr-score -m model.bpr --map tags --vocab vocab.tsv > /dev/null
	bpr-score -m model.bpr --projector proj --titles titles.tsv --vocab vocab.tsv
}

@test "leaks: als-train with and without tags, and blends in auc and bpr-score" {
	als-train -q --train train.tsv --dim 4 --sweeps 2 --items item-tags.tsv -o a.bpr
	als-train -q --train train.tsv --dim 4 --sweeps 3 --item-tags item-tags.tsv --cg-steps 2 \
		--eval test.tsv --valid test.tsv --patience 1 --log log.tsv -o b.bpr
	auc -m a.bpr -m b.bpr --exclude train.tsv -k 5 test.tsv > /dev/null
	auc -m a.bpr -m model.bpr --compat notebook test.tsv > /dev/null
	bpr-score -m b.bpr -m model.bpr --top 3 --all-users --exclude train.tsv > /dev/null
}
