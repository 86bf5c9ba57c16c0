#!/usr/bin/env bats
# Shards: auc --shard and --merge, bpr-score --shard, and the chain on a
# real Slurm (make slurm-experiment) where one is running.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	make_split 60 80
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --item-dim 6 --tag-dim 2 --epochs 4 \
		--seed 3 -o m.bpr
}

# The documented hash, computed apart from ours: MurmurHash3's 32-bit
# finaliser of the id, modulo N (perl's 64-bit integers, low 32 bits kept).
expected_shards() {	# N < ids, prints id<TAB>shard
	perl -e 'use integer; my $n = shift; while (<>) { chomp; my $h = $_;
		$h ^= $h >> 16; $h = ($h * 0x85ebca6b) & 0xffffffff; $h ^= $h >> 13;
		$h = ($h * 0xc2b2ae35) & 0xffffffff; $h ^= $h >> 16;
		print "$_\t", $h % $n, "\n" }' "$1"
}

# merge_equals N AUC-ARGS...: N shards of auc, merged, print what one run prints.
merge_equals() {
	local n=$1 i parts=()
	shift
	auc "$@" --per-user one-pu.tsv > one.txt
	for ((i = 0; i < n; i++)); do
		auc "$@" --shard "$i/$n" > "part.$i"
		parts+=("part.$i")
	done
	auc --merge --per-user merged-pu.tsv "${parts[@]}" > merged.txt
	cmp one.txt merged.txt
	cmp one-pu.tsv merged-pu.tsv
	rm -f part.*
}

@test "auc: any number of shards merges to one run's lines, digit for digit, under every protocol" {
	for n in 1 2 3 8; do
		merge_equals "$n" -m m.bpr --exclude train.tsv -k 10 test.tsv
		merge_equals "$n" -m m.bpr --compat notebook -k 5 test.tsv
		merge_equals "$n" -m m.bpr --items titles.tsv test.tsv
	done
	bpr-score -m m.bpr < <(awk -F'\t' '{ for (i = 1; i <= 80; i++) print $1 "\t" i }' test.tsv | sort -u) > scores.tsv
	merge_equals 3 --scores scores.tsv --exclude train.tsv -k 10 test.tsv
	bpr-train -q --train train.tsv --item-dim 4 --tag-dim 0 --epochs 2 --seed 5 -o m2.bpr
	merge_equals 3 -m m.bpr -m m2.bpr --blend 1,2 --exclude train.tsv -k 10 test.tsv
}

@test "auc: shard I of N evaluates exactly the users whose hash is I, each user in one shard" {
	for n in 2 5; do
		for ((i = 0; i < n; i++)); do
			auc -m m.bpr --exclude train.tsv --per-user "pu.$i" --shard "$i/$n" test.tsv > /dev/null
			cut -f1 "pu.$i" | sed "s/\$/\t$i/"
		done | sort > got.tsv
		cut -f1 test.tsv | sort -u | expected_shards "$n" | sort > want.tsv
		cmp got.tsv want.tsv
		# no shard is empty on 60 users: the hash spreads them
		[ "$(cut -f2 got.tsv | sort -u | wc -l)" -eq "$n" ]
	done
}

@test "auc --merge: a missing, doubled, stale or cut-short partial is refused, and named" {
	for i in 0 1 2 3; do auc -m m.bpr --exclude train.tsv -k 10 --shard "$i/4" test.tsv > "p.$i"; done
	bad 1 '^auc: shard 2/4 is missing' auc --merge p.0 p.1 p.3
	bad 1 '^auc: p.3: shard 3/4 given twice \(also as p.3\)' auc --merge p.0 p.1 p.2 p.3 p.3
	# a shard of an earlier model: same name, other bytes
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --item-dim 6 --tag-dim 2 --epochs 4 \
		--seed 4 -o m2.bpr
	auc -m m2.bpr --exclude train.tsv -k 10 --shard 1/4 test.tsv | sed 's/m2\.bpr/m.bpr/' > stale.1
	bad 1 '^auc: stale.1: of another model than p.0 \(another file, or the file changed since\)' \
		auc --merge p.0 stale.1 p.2 p.3
	# the stale one is named wherever it stands
	bad 1 '^auc: stale.1: of another model' auc --merge stale.1 p.0 p.2 p.3
	head -3 test.tsv > other-test.tsv
	cat test.tsv >> other-test.tsv
	auc -m m.bpr --exclude train.tsv -k 10 --shard 2/4 other-test.tsv > other.2
	bad 1 '^auc: other.2: of another test than p.0' auc --merge p.0 p.1 other.2 p.3
	# a blend's shards merge only with shards of the same weights
	for i in 0 1; do auc -m m.bpr -m m2.bpr --blend 1,2 --shard "$i/2" test.tsv > "b.$i"; done
	auc -m m.bpr -m m2.bpr --blend 2,1 --shard 1/2 test.tsv > w.1
	bad 1 '^auc: w.1: of another blend than b.0' auc --merge b.0 w.1
	auc --merge b.0 b.1 | grep -q '^# rank blend of m.bpr + m2.bpr (weights 1,2) on test.tsv'
	auc -m m.bpr --exclude train.tsv -k 5 --shard 2/4 test.tsv > k5.2
	bad 1 '^auc: k5.2: of another protocol' auc --merge p.0 p.1 k5.2 p.3
	auc -m m.bpr --exclude train.tsv -k 10 --shard 2/5 test.tsv > five.2
	bad 1 '^auc: five.2: of another number of shards' auc --merge p.0 p.1 five.2 p.3
	# cut short at every line: never merged
	lines=$(wc -l < p.2)
	for ((n = 1; n < lines; n++)); do
		head -n "$n" p.2 > cut.2
		bad 1 '^auc: cut.2' auc --merge p.0 p.1 cut.2 p.3
	done
	head -c -3 p.2 > cut.2
	bad 1 '^auc: cut.2' auc --merge p.0 p.1 cut.2 p.3
	bad 1 '^auc: test.tsv:1: not a partial' auc --merge test.tsv
}

@test "auc --shard and --merge: usage errors" {
	bad 2 '^auc: --merge takes its settings from the partials' auc --merge -m m.bpr p.0
	bad 2 '^auc: --merge takes its settings' auc --merge -k 10 p.0
	bad 2 '^auc: no partial given to --merge' auc --merge
	bad 2 '^auc: --shard 4/4 is out of range' auc -m m.bpr --shard 4/4 test.tsv
	bad 2 "^auc: --shard '3': expected I/N" auc -m m.bpr --shard 3 test.tsv
	bad 2 "^auc: --shard '1/x': expected I/N" auc -m m.bpr --shard 1/x test.tsv
}

@test "bpr-score --shard: the shards' top lists and pair scores, together, are one run's" {
	bpr-score -m m.bpr --top 10 --all-users --exclude train.tsv | sort > one.tsv
	for i in 0 1 2 3 4 5 6 7; do
		bpr-score -m m.bpr --top 10 --all-users --exclude train.tsv --shard "$i/8" > "top.$i"
		# each shard holds its users only, by the documented hash
		cut -f1 "top.$i" | sort -u | expected_shards 8 | awk -v i="$i" '$2 != i { exit 1 }'
	done
	cat top.? | sort | cmp - one.tsv
	# users on standard input and by --user
	cut -f1 test.tsv | sort -u > users.txt
	bpr-score -m m.bpr --top 5 < users.txt | sort > one.tsv
	for i in 0 1 2; do bpr-score -m m.bpr --top 5 --shard "$i/3" < users.txt; done | sort | cmp - one.tsv
	bpr-score -m m.bpr --top 5 --user 7 --user 8 | sort > one.tsv
	for i in 0 1 2; do bpr-score -m m.bpr --top 5 --user 7 --user 8 --shard "$i/3"; done | sort | cmp - one.tsv
	# pair mode
	bpr-score -m m.bpr < test.tsv | sort > one.tsv
	for i in 0 1 2; do bpr-score -m m.bpr --shard "$i/3" < test.tsv; done | sort | cmp - one.tsv
	bad 2 '^bpr-score: --shard splits --top and pair scores by user' \
		bpr-score -m m.bpr --similar-items 3 --shard 0/2
}

# --- a real Slurm: .ci/run starts a one-node cluster and sets SLURM_CONF ---

need_slurm() {
	command -v sbatch >/dev/null || skip "Slurm: sbatch is not installed"
	[ -n "${SLURM_CONF:-}" ] && sinfo -h >/dev/null 2>&1 ||
		skip "Slurm: no cluster answers (.ci/run starts one with tests/slurm-cluster.sh)"
}

# A directory shaped like ml-100k, made here (MovieLens may not be shipped):
# u.data with every user rating 20 or more items, u.item with 19 genre
# flags, u.genre naming them.
make_fake_ml100k() {
	mkdir -p "$1"
	make_udata 120 80 > "$1/u.data"
	awk 'BEGIN { for (i = 1; i <= 80; i++) { printf "%d|Movie %d (1995)|01-Jan-1995||http://x", i, i
		for (g = 0; g < 19; g++) printf "|%d", (i + g) % 7 == 0 || g == i % 19; printf "\n" } }' > "$1/u.item"
	awk 'BEGIN { for (g = 0; g < 19; g++) printf "Genre%d|%d\n", g, g }' > "$1/u.genre"
}

@test "make slurm-experiment: shards on Slurm give one run's metrics and top 10; a shard killed mid-write is the only one resubmitted" {
	need_slurm
	make_fake_ml100k "$BATS_TEST_TMPDIR/data"
	data=$BATS_TEST_TMPDIR/data
	out=$BATS_TEST_TMPDIR/se
	run make -s -C "$ROOT" slurm-experiment ML100K="$data" SHARDS=4 OUT="$out"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"submitted prepare (job "*"), train (job "*"), shards 0,1,2,3 of 4 (job "* ]]
	cd "$out"
	auc -m model.bpr --exclude train.tsv --items titles.tsv -k 10 test.tsv | cmp - auc.tsv
	bpr-score -m model.bpr --top 10 --all-users --exclude train.tsv |
		sort -t "$(printf '\t')" -k1,1n -k2,2n | cmp - top10.tsv
	cp auc.tsv top10.tsv "$BATS_TEST_TMPDIR/"
	# shard 2 dies after writing part of its output, as a killed job would
	rm parts/auc.2 parts/top10.2
	killer=$BATS_TEST_TMPDIR/killer
	printf '#!/bin/sh\n"$@" | head -c 200\nkill -9 $$\n' > "$killer"
	chmod +x "$killer"
	run env SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_JOB_ID=77 SHARDS=4 BPR_RATINGS=x BPR_ITEMS=x \
		VALGRIND="$killer" "$ROOT/pipelines/slurm.sh" job shard
	[ "$status" -ne 0 ]
	[ ! -e parts/auc.2 ]
	[ "$(wc -c < parts/.tmp.77.2.auc)" -eq 200 ]
	cd "$BATS_TEST_TMPDIR"
	run make -s -C "$ROOT" slurm-experiment ML100K="$data" SHARDS=4 OUT="$out"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"submitted shards 2 of 4 (job "*"), merge; waiting"* ]]
	cmp auc.tsv "$out/auc.tsv"
	cmp top10.tsv "$out/top10.tsv"
	[ -z "$(ls -A "$out/parts" | grep '^\.tmp')" ]
}
