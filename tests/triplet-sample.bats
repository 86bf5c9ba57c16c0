#!/usr/bin/env bats
# triplet-sample: epochs, negative modes, streams, reproducibility.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	make_positives 40 60 > train.tsv
}

# The triplets of one TSV stream, without comment lines.
triplet_rows() {
	grep -v '^#' "$1"
}

@test "triplet-sample: every positive appears exactly once per epoch" {
	triplet-sample -q --tsv --epochs 5 --seed 3 train.tsv > t.tsv
	[ "$(grep -c '^#epoch' t.tsv)" -eq 5 ]
	want=$(rows -u train.tsv)
	awk '/^#epoch/ { e++; next } !/^#/ { print $1 "\t" $2 > ("epoch" e ".txt") }' t.tsv
	for e in "" 1 2 3 4; do
		[ "$(rows epoch$e.txt)" = "$want" ]
	done
}

@test "triplet-sample: unseen never yields a positive of the user (50 epochs)" {
	triplet-sample -q --tsv --epochs 50 --neg unseen --seed 9 train.tsv > t.tsv
	awk -F'\t' 'NR == FNR { pos[$1 "," $2] = 1; next }
		/^#/ { next } { n++ } ($1 "," $3) in pos { bad++ }
		END { print n, bad + 0; exit bad > 0 || n == 0 }' train.tsv t.tsv
}

@test "triplet-sample: uniform draws over 0..max, including positives and the unused id 0" {
	triplet-sample -q --tsv --epochs 50 --neg uniform --seed 1 train.tsv > t.tsv
	max=$(cut -f2 train.tsv | sort -n | tail -1)
	awk -F'\t' -v max="$max" 'NR == FNR { pos[$1 "," $2] = 1; next } /^#/ { next }
		$3 == 0 { zero++ } ($1 "," $3) in pos { hit++ } $3 > max || $3 < 0 { bad++ }
		END { exit !(zero > 0 && hit > 0 && bad == 0) }' train.tsv t.tsv
}

@test "triplet-sample: pop negatives follow item counts (chi-square, fixed seed)" {
	# skewed counts: item i has about 60/i positives
	awk 'BEGIN { for (i = 1; i <= 20; i++) for (u = 1; u <= int(60 / i); u++) print u "\t" i }' > pop.tsv
	triplet-sample -q --tsv --epochs 40 --neg pop --seed 5 pop.tsv > t.tsv
	# chi-square of negative counts against count-proportional expectations,
	# df = 19: the 99.9% point is 43.8; a uniform sampler scores in the thousands
	awk -F'\t' 'NR == FNR { c[$2]++; total++; next } /^#/ { next } { o[$3]++; n++ }
		END { for (i in c) { e = n * c[i] / total; x += (o[i] - e)^2 / e }
		      for (i in o) if (!(i in c)) x += 1e9
		      print "chi2", x; exit !(x < 43.8) }' pop.tsv t.tsv
	# and pop:0 is uniform over the items with positives
	triplet-sample -q --tsv --epochs 40 --neg pop:0 --seed 5 pop.tsv > u.tsv
	awk -F'\t' '/^#/ { next } { o[$3]++; n++ }
		END { for (i = 1; i <= 20; i++) { e = n / 20; x += (o[i] - e)^2 / e }
		      print "chi2", x; exit !(x < 43.8) }' u.tsv
}

@test "triplet-sample: the same seed gives identical bytes, different seeds differ" {
	triplet-sample --epochs 3 --seed 11 -o a.bin train.tsv
	triplet-sample --epochs 3 --seed 11 -o b.bin train.tsv
	triplet-sample --epochs 3 --seed 12 -o c.bin train.tsv
	cmp a.bin b.bin
	not cmp -s a.bin c.bin
	triplet-sample --tsv --epochs 3 --seed 11 train.tsv > a.tsv
	triplet-sample --tsv --epochs 3 --seed 11 train.tsv > b.tsv
	cmp a.tsv b.tsv
}

@test "triplet-sample: binary and TSV streams hold the same triplets" {
	triplet-sample -q --epochs 2 --seed 4 train.tsv > t.bin
	triplet-sample -q --tsv --epochs 2 --seed 4 train.tsv > t.tsv
	n=$(triplet_rows t.tsv | wc -l)
	# header: magic 8, version 4, epochs 4, metadata length 4 + metadata; 12 bytes a record
	meta=$(od -An -t u4 -j 16 -N 4 t.bin | tr -d ' ')
	[ "$(stat -c %s t.bin)" -eq $(( 20 + meta + 12 * (n + 2) )) ]
	[ "$(head -c 8 t.bin)" = BPRTRIPS ]
	first=$(od -An -t u4 -j $(( 20 + meta )) -N 12 t.bin | awk '{ print $1 "\t" $2 "\t" $3 }')
	[ "$first" = "$(triplet_rows t.tsv | head -1)" ]
}

@test "triplet-sample: --items widens the universe for unseen negatives" {
	printf '1\t1\n1\t2\n2\t1\n' > small.tsv
	printf '1\tx\n2\ty\n3\tz\n4\tw\n' > catalogue.tsv
	triplet-sample -q --tsv --epochs 30 --neg unseen --items catalogue.tsv small.tsv > t.tsv
	[ "$(triplet_rows t.tsv | cut -f3 | sort -u | tr '\n' ' ')" = "2 3 4 " ]
	# user 1 has items 1 and 2: only 3 and 4 are unseen
	[ "$(triplet_rows t.tsv | awk -F'\t' '$1 == 1 { print $3 }' | sort -u | tr '\n' ' ')" = "3 4 " ]
}

@test "triplet-sample: a user with every item is skipped with a warning, not a hang" {
	printf '1\t1\n1\t2\n2\t1\n' > all.tsv
	run --separate-stderr timeout 10 triplet-sample --tsv --neg unseen all.tsv
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"skipping 2 positives of 1 users who have every item"* ]]
	[ "$(echo "$output" | grep -v '^#')" = "$(printf '2\t1\t2')" ]
}

@test "triplet-sample: a single item means no unseen negative exists at all" {
	printf '1\t5\n2\t5\n' > one.tsv
	bad 1 'no user has an item left' timeout 10 triplet-sample --tsv -o out.tsv --neg unseen one.tsv
	timeout 10 triplet-sample -q --tsv --neg uniform one.tsv > u.tsv
	[ "$(triplet_rows u.tsv | wc -l)" -eq 2 ]
}

@test "triplet-sample: refuses to write binary to a terminal" {
	need_command script
	run script -qec "$BIN/triplet-sample train.tsv" /dev/null
	[[ "$output" == *"binary output to a terminal"* ]]
}

@test "triplet-sample: head closes the pipe and the sampler stops quietly" {
	run --separate-stderr bash -c "triplet-sample --tsv --epochs 1000 --neg unseen train.tsv | head -3"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 3 ]
	[ -z "$stderr" ]
}

# The small fixture's ratings, and those rated 4 or more as the positives.
make_rated() {
	make_udata 40 60 > rated.tsv
	awk -F'\t' '$3 >= 4' rated.tsv > liked.tsv
}

@test "triplet-sample: --seen trains each seen item against one the user neither liked nor saw" {
	make_rated
	triplet-sample -q --tsv --epochs 40 --seed 5 --seen rated.tsv liked.tsv > t.tsv
	# every positive once an epoch; seen triplets at the rate, binomially (5 sigma)
	awk -F'\t' -v epochs=40 -v rate=0.3 '
		FILENAME == ARGV[1] { pos[$1 "," $2] = 1; npos++; next }
		FILENAME == ARGV[2] { if (!(($1 "," $2) in pos)) { seen[$1 "," $2] = 1; nseen++ }; next }
		/^#epoch/ { if (inpos != npos) { print "epoch", $2, inpos, "positives"; exit 1 }; inpos = 0; next }
		/^#/ { next }
		($1 "," $2) in pos { inpos++; if (($1 "," $3) in pos) bad++; next }
		($1 "," $2) in seen { s++; got[$1 "," $2] = 1
			if (($1 "," $3) in pos || ($1 "," $3) in seen) bad++; next }
		{ print "neither a positive nor seen:", $0; exit 1 }
		END {
			want = rate * nseen * epochs; sd = sqrt(want * (1 - rate))
			for (k in seen) if (!(k in got)) missing++
			print npos, nseen, s, want, sd, bad + 0, missing + 0
			exit bad > 0 || missing > 0 || nseen < 100 || (s - want) ^ 2 > 25 * sd * sd
		}' liked.tsv rated.tsv t.tsv
}

@test "triplet-sample: --seen-rate 0 keeps the stream of no --seen; the seed fixes the bytes" {
	make_rated
	triplet-sample -q --tsv --epochs 3 --seed 2 liked.tsv | grep -v '^#' > plain.txt
	triplet-sample -q --tsv --epochs 3 --seed 2 --seen rated.tsv --seen-rate 0 liked.tsv |
		grep -v '^#' > zero.txt
	cmp plain.txt zero.txt
	triplet-sample -q --epochs 3 --seed 2 --seen rated.tsv -o a.bin liked.tsv
	triplet-sample -q --epochs 3 --seed 2 --seen rated.tsv -o b.bin liked.tsv
	triplet-sample -q --epochs 3 --seed 2 --seen rated.tsv --seen-rate 0.5 -o c.bin liked.tsv
	cmp a.bin b.bin
	not cmp -s a.bin c.bin
	# the header says how the triplets were made
	triplet-sample -q --tsv --epochs 1 --seen rated.tsv liked.tsv | head -1 |
		grep -q ' seen_rows=[0-9]* seen_pairs=[0-9]* seen_rate=0.3 seen_crc32='
}

@test "triplet-sample: seen items join the universe; a user without positives is left out" {
	printf '1\t1\n2\t2\n' > pos.tsv
	printf '1\t3\n1\t1\n3\t4\n' > seen.tsv
	run --separate-stderr triplet-sample --tsv --epochs 50 --seen seen.tsv --seen-rate 1 pos.tsv
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"1 seen pairs (2 more were positives or had a user without any)"* ]]
	triplets=$(echo "$output" | grep -v '^#')
	# user 1's seen item 3 every epoch, against 2 or 4; user 3 never
	[ "$(echo "$triplets" | awk -F'\t' '$2 == 3 { n++; if ($1 != 1 || ($3 != 2 && $3 != 4)) exit 1 }
		END { print n + 0 }')" -eq 50 ]
	echo "$triplets" | not grep -q '^3	'
	# item 4, only ever seen, is in the universe: a negative for the positives too
	echo "$triplets" | awk -F'\t' '$2 != 3 && $3 == 4 { found = 1 } END { exit !found }'
}

@test "triplet-sample: a user who has seen every other item gets no seen triplet, and no hang" {
	printf '1\t1\n2\t1\n' > pos.tsv
	printf '1\t2\n' > seen.tsv
	run --separate-stderr timeout 10 triplet-sample --tsv --epochs 5 --seen seen.tsv --seen-rate 1 pos.tsv
	[ "$status" -eq 0 ]
	# only the positives' triplets: item 2 is the one negative
	[ "$(echo "$output" | grep -v '^#' | sort -u | tr '\n' ' ')" = "$(printf '1\t1\t2 2\t1\t2 ')" ]
}

@test "triplet-sample: --seen's bad input and options are refused" {
	make_rated
	bad 2 'needs --seen' triplet-sample --seen-rate 0.5 -o out.tsv liked.tsv
	bad 2 'seen-rate' triplet-sample --seen rated.tsv --seen-rate 1.5 -o out.tsv liked.tsv
	printf '1\t2\nx\t3\n' > broken.tsv
	bad 1 'broken.tsv:2: user id' triplet-sample --seen broken.tsv -o out.tsv liked.tsv
	bad 1 'missing.tsv' triplet-sample --seen missing.tsv -o out.tsv liked.tsv
	: > empty.tsv
	bad 1 'empty.tsv: is empty .expected seen interactions' triplet-sample --seen empty.tsv -o out.tsv liked.tsv
}
