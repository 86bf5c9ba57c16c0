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
		"als-train -q --train train.tsv --sweeps 1 --dim 4 -o /dev/full" \
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

# train_wide USERS OUT: bpr-train under a 200 MB limit on USERS users of
# 4096 floats each (status and stderr in $status and $stderr).
train_wide() {
	awk -v n="$1" 'BEGIN { for (u = 1; u <= n; u++) print u "\t" u % 7 + 1 }' > many.tsv
	run --separate-stderr bash -c "ulimit -v 200000; bpr-train -q --train many.tsv --item-dim 4096 --epochs 1 -o $2"
	echo "$stderr"
}

@test "faults: running out of memory is a message saying how much was wanted" {
	[ -z "${BPR_SANITIZED:-}" ] || skip "AddressSanitizer reserves memory a limit cannot allow"
	# 16000 users: 262 MB for the user table alone, past the limit
	train_wide 16000 out.tsv
	[ "$status" -eq 1 ]
	[[ "$stderr" == "bpr-train: cannot allocate "*" for "* ]]
	[ ! -e out.tsv ]
}

@test "faults: saving a model takes no second copy of its tables" {
	[ -z "${BPR_SANITIZED:-}" ] || skip "AddressSanitizer reserves memory a limit cannot allow"
	# 8000 users: 131 MB, which fits under the limit once but not twice
	train_wide 8000 out.bpr
	[ "$status" -eq 0 ]
	auc -m out.bpr many.tsv > /dev/null
}

# each_allocation_fails OUTS COMMAND...: run COMMAND once as it is, then
# once for each allocation it makes, that allocation failing (the preloaded
# tests/shim/failalloc.c). Every run must end as the whole one did (the
# same standard output, and the same files OUTS, a comma-separated list or
# -; one marked ~, such as a log with timings, is not compared), or with
# status 1, a message that memory or a thread could not be had, and none
# of OUTS. Standard input is $STDIN, or /dev/null.
each_allocation_fails() {
	local outs shim=$UNIT/failalloc.so n i st f same=()
	IFS=, read -r -a outs <<< "${1/#-/}"
	shift
	for f in "${outs[@]}"; do [[ "$f" == "~"* ]] || same+=("$f"); done
	outs=("${outs[@]#"~"}")
	"$@" < "${STDIN:-/dev/null}" > ref.stdout
	for f in "${outs[@]}"; do mv "$f" "ref.$f"; done
	BPR_COUNT_ALLOC=$PWD/count LD_PRELOAD=$shim "$@" < "${STDIN:-/dev/null}" > /dev/null
	rm -f "${outs[@]}"
	n=$(cat count)
	[ "$n" -gt 10 ]
	for i in $(seq 1 "$n"); do
		st=0
		BPR_FAIL_ALLOC=$i LD_PRELOAD=$shim "$@" < "${STDIN:-/dev/null}" > got.stdout 2> got.stderr || st=$?
		if [ "$st" -eq 0 ]; then
			cmp -s got.stdout ref.stdout || { echo "allocation $i of $n: exit 0, another output"; return 1; }
			for f in "${same[@]}"; do
				cmp -s "$f" "ref.$f" || { echo "allocation $i of $n: another $f"; return 1; }
			done
		elif [ "$st" -eq 1 ]; then
			grep -Eiq 'out of memory|cannot allocate|cannot start .*thread' got.stderr ||
				{ echo "allocation $i of $n: $(cat got.stderr)"; return 1; }
			for f in "${outs[@]}"; do
				[ ! -e "$f" ] || { echo "allocation $i of $n: $f left behind"; return 1; }
			done
		else
			echo "allocation $i of $n: status $st: $(cat got.stderr)"
			return 1
		fi
		rm -f "${outs[@]}"
	done
	echo "# $* : $n allocations, each failed once" >&3
}

@test "faults: each allocation failing in turn ends every tool cleanly, or changes nothing" {
	[ -z "${BPR_SANITIZED:-}" ] || skip "a sanitizer brings its own allocator"
	[ -f "$UNIT/failalloc.so" ] || skip "build/unit/failalloc.so is not built (make units)"
	make_udata 10 10 > u.data
	printf '1|A (1995)|01-Jan-1995||http://x|0|1\n2|B (1996)|01-Jan-1995||http://x|1|1\n' > u.item
	printf 'unknown|0\nAction|1\n\n' > u.genre
	triplet-sample -q --epochs 2 -o t.bin train.tsv
	awk -F'\t' 'NR == FNR { item[$1]; next } { for (i in item) print $1 "\t" i }' \
	    titles.tsv <(cut -f1 test.tsv | sort -u) | bpr-score -m model.bpr > scores.tsv
	gzip -k u.data
	! command -v zip > /dev/null || zip -q u.zip u.data
	for f in u.data u.data.gz $(ls u.zip 2> /dev/null); do
		each_allocation_fails tr.tsv,te.tsv ml-split -q --scheme random --test-fraction 0.2 \
			-o tr.tsv -t te.tsv $f
	done
	each_allocation_fails v.tsv ml-genres -q --vocab v.tsv u.item
	each_allocation_fails p.tsv,t.tsv ml-genres -q --titles t.tsv -o p.tsv u.item
	each_allocation_fails t2.bin triplet-sample -q --epochs 2 --neg pop -o t2.bin train.tsv
	each_allocation_fails - triplet-sample -q --tsv --epochs 2 --items item-tags.tsv train.tsv
	each_allocation_fails m.bpr,~log.tsv bpr-train -q --train train.tsv --item-tags item-tags.tsv \
		--item-dim 4 --tag-dim 2 --epochs 2 --eval test.tsv --valid test.tsv --log log.tsv -o m.bpr
	each_allocation_fails m.bpr bpr-train -q --item-dim 4 -o m.bpr t.bin
	each_allocation_fails m.bpr bpr-train -q --compat notebook --train train.tsv \
		--item-tags item-tags.tsv --epochs 2 -o m.bpr
	each_allocation_fails m.bpr bpr-train -q --train train.tsv --epochs 1 --init model.bpr -o m.bpr
	each_allocation_fails m.bpr,~log.tsv als-train -q --train train.tsv --item-tags item-tags.tsv \
		--dim 4 --sweeps 2 --eval test.tsv --valid test.tsv --patience 1 --log log.tsv -o m.bpr
	each_allocation_fails m.bpr als-train -q --train train.tsv --items item-tags.tsv --dim 4 \
		--sweeps 2 --cg-steps 2 -o m.bpr
	each_allocation_fails - auc -m model.bpr -m model.bpr --exclude train.tsv -k 5 test.tsv
	each_allocation_fails - bpr-score -m model.bpr --top 3 --exclude train.tsv --all-users \
		--titles titles.tsv
	each_allocation_fails - bpr-score -m model.bpr --map items
	each_allocation_fails - bpr-score -m model.bpr --similar-items 3 --top 4
	each_allocation_fails - bpr-score -m model.bpr --cold-item 1,2 --top 3
	STDIN=test.tsv each_allocation_fails - bpr-score -m model.bpr
	each_allocation_fails - auc -m model.bpr --exclude train.tsv -k 5 test.tsv
	each_allocation_fails - auc --scores scores.tsv test.tsv
}

@test "faults: an id whose table would overflow is refused up front" {
	[ -z "${BPR_SANITIZED:-}" ] || skip "AddressSanitizer reserves memory a limit cannot allow"
	# users 0 and 2^31-1: ids index a hash, so this is fine, and must stay so
	printf '0\t1\n2147483647\t2\n' > far.tsv
	timeout 20 bpr-train -q --train far.tsv --neg uniform --epochs 1 --item-dim 4 -o m.bpr
	bpr-score -m m.bpr --dump users | cut -f1 | grep -qx 2147483647
}
