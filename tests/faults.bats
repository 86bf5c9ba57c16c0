#!/usr/bin/env bats
# Faults: full disks, closed pipes, tiny and degenerate data, memory that
# runs out. Every tool ends with a message and the right status, never a
# crash or a hang.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	make_model 12 15
}

@test "faults: every tool writing to /dev/full fails with status 1 and says so" {
	make_udata 5 5 > u.data
	printf '1|A|d||u|0|1\n' > u.item
	for cmd in "ml-split --scheme none -o /dev/full u.data" \
		"ml-genres -o /dev/full u.item" \
		"triplet-sample -o /dev/full train.tsv" \
		"bpr-train -q --train train.tsv --epochs 1 --item-dim 4 -o /dev/full" \
		"bpr-score -m model.bpr --dump items" \
		"auc -m model.bpr -k 3 test.tsv"; do
		run --separate-stderr bash -c "$cmd > /dev/full"
		echo "$cmd: $status $stderr"
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"write error"* ]]
	done
}

@test "faults: a closed pipe ends every streaming tool quietly and at once" {
	make_udata 30 30 > u.data
	for cmd in "ml-split -q --scheme none u.data" \
		"triplet-sample --tsv --epochs 100000 train.tsv" \
		"bpr-score -m model.bpr --dump items" \
		"bpr-score -m model.bpr --top 2 --all-users"; do
		run --separate-stderr timeout 20 bash -c "$cmd | head -1"
		echo "$cmd: $status $stderr"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "$(echo "$output" | wc -l)" -eq 1 ]
	done
}

@test "faults: a single user is trained and ranked" {
	printf '7\t1\n7\t2\n7\t3\n' > one.tsv
	printf '7\t4\n' > t.tsv
	bpr-train -q --train one.tsv --items <(printf '1\n2\n3\n4\n5\n') --epochs 3 --item-dim 4 -o m.bpr
	auc -m m.bpr t.tsv > a.tsv
	[ "$(metric a.tsv auc)" != "" ]
}

@test "faults: a single item leaves unseen with no negative: a clear message, not a hang" {
	printf '1\t5\n2\t5\n' > one.tsv
	bad 1 'no user has an item left to draw a negative from' timeout 10 bpr-train --train one.tsv --neg unseen -o out.tsv
	timeout 10 bpr-train -q --train one.tsv --neg uniform --epochs 2 --item-dim 4 -o m.bpr
}

@test "faults: a user who has every item is skipped in training too" {
	printf '1\t1\n1\t2\n2\t1\n' > all.tsv
	run --separate-stderr timeout 10 bpr-train --train all.tsv --neg unseen --epochs 2 --item-dim 4 -o m.bpr
	[ "$status" -eq 0 ]
}

@test "faults: items only in the test set are counted, not ranked by guesswork" {
	printf '1\t999\n1\t2\n' > t.tsv
	auc -m model.bpr t.tsv > a.tsv
	grep -q '(1 not rankable)' a.tsv
}

@test "faults: running out of memory is a message saying how much was wanted" {
	[ -z "${BPR_SANITIZED:-}" ] || skip "AddressSanitizer reserves memory a limit cannot allow"
	awk 'BEGIN { for (u = 1; u <= 8000; u++) print u "\t" u % 7 + 1 }' > many.tsv
	# 8000 users of 4096 floats and their Adagrad sums: about 260 MB, past a 200 MB limit
	run --separate-stderr bash -c 'ulimit -v 200000; bpr-train --train many.tsv --item-dim 4096 --epochs 1 -o out.tsv'
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "bpr-train: cannot allocate "*" for "* ]]
	[ ! -e out.tsv ]
}

@test "faults: an id whose table would overflow is refused up front" {
	[ -z "${BPR_SANITIZED:-}" ] || skip "AddressSanitizer reserves memory a limit cannot allow"
	# users 0 and 2^31-1: ids index a hash, so this is fine, and must stay so
	printf '0\t1\n2147483647\t2\n' > far.tsv
	timeout 20 bpr-train -q --train far.tsv --neg uniform --epochs 1 --item-dim 4 -o m.bpr
	bpr-score -m m.bpr --dump users | cut -f1 | grep -qx 2147483647
}
