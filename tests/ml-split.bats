#!/usr/bin/env bats
# ml-split: layouts, schemes, the GroupLens splits reproduced exactly.

load helpers

@test "ml-split: allbut 1:10 on u.data gives exactly ua.base and ua.test" {
	need_ml100k
	ml-split --scheme allbut --test-range 1:10 -o train.tsv -t test.tsv "$ML100K/u.data"
	diff <(rows "$ML100K/ua.base") <(rows train.tsv)
	diff <(rows "$ML100K/ua.test") <(rows test.tsv)
}

@test "ml-split: allbut 11:20 on u.data gives exactly ub.base and ub.test" {
	need_ml100k
	ml-split -q --scheme allbut --test-range 11:20 -o train.tsv -t test.tsv "$ML100K/u.data"
	diff <(rows "$ML100K/ub.base") <(rows train.tsv)
	diff <(rows "$ML100K/ub.test") <(rows test.tsv)
}

@test "ml-split: fold 1..5 on u.data gives exactly u1..u5" {
	need_ml100k
	for k in 1 2 3 4 5; do
		ml-split -q --scheme fold --fold "$k" -o train.tsv -t test.tsv "$ML100K/u.data"
		diff <(rows "$ML100K/u$k.base") <(rows train.tsv)
		diff <(rows "$ML100K/u$k.test") <(rows test.tsv)
	done
}

@test "ml-split: the same split from a .gz and a .zip is byte-identical to the plain file" {
	need_ml100k
	need_command zip
	mkdir ml-100k
	cp "$ML100K/u.data" "$ML100K/u.item" "$ML100K/u.genre" ml-100k/
	zip -q -r ml-100k.zip ml-100k
	gzip -c ml-100k/u.data > u.data.gz
	ml-split -q --scheme fold --fold 3 -o plain.tr -t plain.te ml-100k/u.data
	ml-split -q --scheme fold --fold 3 -o gz.tr -t gz.te u.data.gz
	ml-split -q --scheme fold --fold 3 -o train.tsv -t test.tsv ml-100k.zip
	cmp plain.tr gz.tr
	cmp plain.te gz.te
	cmp plain.tr train.tsv
	cmp plain.te test.tsv
	ml-split -q --scheme fold --fold 3 -o member.tr -t member.te ml-100k.zip:ml-100k/u.data
	cmp plain.tr member.tr
}

@test "ml-split: a stored (uncompressed) zip member reads the same" {
	need_command zip
	make_udata 30 40 > u.data
	zip -q -0 stored.zip u.data
	ml-split -q -o a.tr -t a.te u.data
	ml-split -q -o b.tr -t b.te stored.zip
	cmp a.tr b.tr
	cmp a.te b.te
}

@test "ml-split: a zip64 archive (zip -fz: 64-bit sizes and end record) reads the same" {
	need_command zip
	make_udata 30 40 > u.data
	zip -q -fz z64.zip u.data
	# really zip64: the end record points to the zip64 one, and the member's
	# 32-bit size is at its maximum (the size is in the zip64 extra field)
	# (perl reads the file whole: grep would split it at a newline byte,
	# which the timestamp or the CRC may hold)
	perl -0777 -ne 'exit !/PK\x05\x06.{12}\xff\xff\xff\xff/s' z64.zip
	perl -0777 -ne 'exit !/PK\x01\x02.{20}\xff\xff\xff\xff/s' z64.zip
	ml-split -q -o a.tr -t a.te u.data
	ml-split -q -o b.tr -t b.te z64.zip
	cmp a.tr b.tr
	cmp a.te b.te
	# a zip64 extra field that claims 8 bytes more than its entry's extra block holds
	perl -0777 -e '$d = <STDIN>; $c = index($d, "PK\x01\x02"); $nl = unpack("v", substr($d, $c + 28, 2));
		$xl = unpack("v", substr($d, $c + 30, 2)); $x = $c + 46 + $nl;
		for ($i = 0; $i + 4 <= $xl; $i += 4 + $n) { $n = unpack("v", substr($d, $x + $i + 2, 2));
			if (unpack("v", substr($d, $x + $i, 2)) == 1) { substr($d, $x + $i + 2, 2) = pack("v", $n + 8); last } }
		print $d' < z64.zip > over.zip
	not cmp -s z64.zip over.zip
	bad 1 'over.zip: corrupt zip central directory' ml-split -q -o c.tr -t c.te over.zip
}

@test "ml-split: ml-latest-small ratings.csv (CRLF, header, half stars) has every row" {
	need_file "$DATA/ml-latest-small/ratings.csv"
	f="$DATA/ml-latest-small/ratings.csv"
	expected=$(grep -c '^[0-9]' "$f")
	run --separate-stderr ml-split --scheme none -o all.tsv "$f"
	[ "$status" -eq 0 ]
	[ "$(wc -l < all.tsv)" -eq "$expected" ]
	[[ "$stderr" == *"$expected rows"* ]]
	# half stars survive, and no carriage return leaks into the output
	grep -q $'\t2.5\t' all.tsv
	not grep -q $'\r' all.tsv
}

@test "ml-split: ratings.csv.gz random split with --min-rating (the command line of the issue)" {
	need_file "$DATA/ml-latest-small/ratings.csv"
	gzip -c "$DATA/ml-latest-small/ratings.csv" > ratings.csv.gz
	ml-split --scheme random --test-fraction 0.2 --seed 7 --min-rating 4 -o tr.tsv -t te.tsv ratings.csv.gz
	# every kept row is rated >= 4
	awk -F'\t' '$3 < 4 { bad = 1 } END { exit bad }' tr.tsv te.tsv
	# the split itself does not depend on --min-rating: the kept rows are a
	# subset of the unfiltered split's rows
	ml-split -q --scheme random --test-fraction 0.2 --seed 7 -o all.tr -t all.te ratings.csv.gz
	[ -z "$(comm -23 <(rows te.tsv) <(rows all.te))" ]
	total=$(grep -c '^[0-9]' "$DATA/ml-latest-small/ratings.csv")
	[ "$(wc -l < all.te)" -eq $(( (total * 2 + 5) / 10 )) ]
}

@test "ml-split: dat layout (::) is detected and read" {
	printf '1::10::5::978300760\n1::20::3::978302109\n2::10::4::978301968\n' > ratings.dat
	ml-split -q --scheme none -o all.tsv ratings.dat
	[ "$(cat all.tsv)" = "$(printf '1\t10\t5\t978300760\n1\t20\t3\t978302109\n2\t10\t4\t978301968')" ]
}

@test "ml-split: csv with quoted fields, CRLF and a BOM is read by libcsv" {
	printf '\xef\xbb\xbfuserId,movieId,rating,timestamp\r\n1,"10",4.5,100\r\n"2",20,0.5,200\r\n' > r.csv
	ml-split -q --scheme none -o all.tsv r.csv
	[ "$(cat all.tsv)" = "$(printf '1\t10\t4.5\t100\n2\t20\t0.5\t200')" ]
}

@test "ml-split: -f forces a layout" {
	printf '1,10,4,100\n' > r.txt
	run --separate-stderr ml-split -q -f tab --scheme none -o all.tsv r.txt
	[ "$status" -eq 1 ]
	ml-split -q -f csv --scheme none -o all.tsv r.txt
	[ "$(cat all.tsv)" = "$(printf '1\t10\t4\t100')" ]
}

@test "ml-split: duplicated (user, item) rows keep the first occurrence" {
	printf '1\t10\t5\t100\n1\t11\t3\t101\n1\t10\t1\t102\n' > d.tsv
	run --separate-stderr ml-split --scheme none -o all.tsv d.tsv
	[ "$status" -eq 0 ]
	[ "$(cat all.tsv)" = "$(printf '1\t10\t5\t100\n1\t11\t3\t101')" ]
	[[ "$stderr" == *"1 duplicate"* ]]
}

@test "ml-split: duplicates and items are counted the same whatever the item ids' size" {
	# ids up to 2^31 - 1 over a few rows are kept in a hash, not an array by id
	make_udata 12 20 > small.tsv
	head -7 small.tsv >> small.tsv
	awk -F'\t' '{ printf "%s\t%.0f\t%s\t%s\n", $1, 2147483647 - $2 * 1000003, $3, $4 }' small.tsv > big.tsv
	run --separate-stderr ml-split --scheme random --test-fraction 0.2 --seed 3 -o tr-small -t te-small small.tsv
	[ "$status" -eq 0 ]
	summary_small=$stderr
	[[ "$summary_small" == *"dropped 7 (7 duplicate"* ]]
	[[ "$summary_small" == *"12 users, 20 items"* ]]
	run --separate-stderr ml-split --scheme random --test-fraction 0.2 --seed 3 -o tr-big -t te-big big.tsv
	[ "$status" -eq 0 ]
	[ "${stderr//big/small}" = "$summary_small" ]
	for f in tr te; do
		cmp <(awk -F'\t' '{ printf "%s\t%.0f\t%s\t%s\n", $1, (2147483647 - $2) / 1000003, $3, $4 }' $f-big) $f-small
	done
}

@test "ml-split: random split is exact, reproducible by seed, and differs across seeds" {
	make_udata 40 50 > u.data
	n=$(wc -l < u.data)
	ml-split -q --scheme random --test-fraction 0.25 --seed 3 -o a.tr -t a.te u.data
	ml-split -q --scheme random --test-fraction 0.25 --seed 3 -o b.tr -t b.te u.data
	ml-split -q --scheme random --test-fraction 0.25 --seed 4 -o c.tr -t c.te u.data
	cmp a.te b.te
	not cmp -s a.te c.te
	[ "$(wc -l < a.te)" -eq $(( (n + 2) / 4 )) ]
	diff <(rows u.data) <(rows a.tr a.te)
}

@test "ml-split: leave-out puts K random ratings per user in test" {
	make_udata 30 40 > u.data
	ml-split -q --scheme leave-out --test-count 3 --seed 2 -o tr -t te u.data
	[ "$(cut -f1 te | sort | uniq -c | awk '$1 != 3' | wc -l)" -eq 0 ]
	[ "$(cut -f1 te | sort -u | wc -l)" -eq 30 ]
	diff <(rows u.data) <(rows tr te)
}

@test "ml-split: temporal puts each user's latest ratings in test" {
	make_udata 25 30 > u.data
	ml-split -q --scheme temporal --test-count 2 -o tr -t te u.data
	# for every user, each test timestamp is >= every train timestamp
	awk -F'\t' 'NR == FNR { if ($4 > maxtr[$1]) maxtr[$1] = $4; next }
		$4 < maxtr[$1] { bad = 1 } END { exit bad }' tr te
	[ "$(wc -l < te)" -eq 50 ]
}

@test "ml-split: temporal with a global time cut" {
	make_udata 10 20 > u.data
	cut=880005000
	ml-split -q --scheme temporal --time-cut $cut -o tr -t te u.data
	awk -F'\t' -v c=$cut '$4 < c { bad = 1 } END { exit bad }' te
	awk -F'\t' -v c=$cut '$4 >= c { bad = 1 } END { exit bad }' tr
}

@test "ml-split: none with two files converts train and test" {
	make_udata 10 10 > a.data
	make_udata 12 12 | awk '$1 > 10' > b.data
	ml-split -q --scheme none -o tr -t te a.data b.data
	cmp tr a.data
	cmp te b.data
}

@test "ml-split: the summary line counts users, items, rows and drops" {
	printf '1\t10\t5\t1\n1\t11\t2\t2\n2\t10\t4\t3\n2\t10\t4\t4\n' > s.tsv
	run --separate-stderr ml-split --scheme none --min-rating 4 -o tr s.tsv
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"4 rows, 2 users, 2 items"* ]]
	[[ "$stderr" == *"dropped 2 (1 duplicate, 1 below --min-rating)"* ]]
}

@test "ml-split: a --min-rating that drops every row is an error, and writes nothing" {
	printf '1\t10\t5\t1\n1\t11\t2\t2\n2\t10\t4\t3\n' > s.tsv
	run ml-split --scheme none --min-rating 5.5 -o tr s.tsv
	[ "$status" -eq 1 ]
	[[ "$output" == *"s.tsv: every rating is below --min-rating 5.5: nothing to split"* ]]
	[ ! -e tr ]
	# one row left is a split
	run ml-split --scheme none --min-rating 5 -o tr s.tsv
	[ "$status" -eq 0 ]
	[ "$(wc -l < tr)" -eq 1 ]
}

@test "ml-split: output to stdout and -q is silent" {
	make_udata 5 5 > u.data
	run --separate-stderr ml-split -q --scheme none u.data
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(cat u.data)" ]
}

@test "ml-split: allbut on ratings in item order (ml-latest's) draws each user's order, and says so" {
	# 30 users, each rating items 1..40 in ascending order, ratings.csv layout
	awk 'BEGIN { print "userId,movieId,rating,timestamp"
		for (u = 1; u <= 30; u++) for (i = 1; i <= 40; i++) if ((u + i) % 3) print u "," i ",4," 1000 + i }' > r.csv
	run --separate-stderr ml-split -q -o tr.tsv -t te.tsv r.csv
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"r.csv: each user's ratings come in item order, so allbut took ratings 1..10 of each user's ratings in a random order (--seed 1)"* ]]
	# ten test ratings a user, and not the lowest ids: their mean place in
	# the user's list is near the middle (the lowest ten would be near 0.17)
	[ "$(cut -f1 te.tsv | sort | uniq -c | awk '$1 != 10' | wc -l)" -eq 0 ]
	awk -F'\t' 'NR == FNR { if ($1 != "userId") { n[$1]++; pos[$1, $2] = n[$1] } next }
		{ s += (pos[$1, $2] - 1) / (n[$1] - 1); k++ } END { m = s / k; print m; exit !(m > 0.35 && m < 0.65) }' \
		FS=, r.csv FS='\t' te.tsv
	ml-split -q -o tr2.tsv -t te2.tsv r.csv
	cmp te.tsv te2.tsv
	ml-split -q --seed 2 -o tr3.tsv -t te3.tsv r.csv
	not cmp -s te.tsv te3.tsv
	# input in any other order keeps it: the first ten of each user as read
	make_udata 30 40 | awk 'BEGIN { srand(3) } { print rand() "\t" $0 }' | sort | cut -f2- > u.data
	run --separate-stderr ml-split -q -o tr.tsv -t te.tsv u.data
	[ -z "$stderr" ]
	diff <(awk -F'\t' '++n[$1] <= 10' u.data) te.tsv
}

@test "ml-split: every scheme's rows, as an awk of the same rule puts them" {
	make_udata 30 40 | awk 'BEGIN { srand(5) } { print rand() "\t" $0 }' | sort | cut -f2- > u.data
	n=$(wc -l < u.data)
	# fold K of 5: rows n(K-1)/5 .. nK/5 - 1 of the file, as mku.sh cuts them
	for k in 1 3 5; do
		ml-split -q --scheme fold --fold $k -o tr -t te u.data
		diff te <(awk -v n=$n -v k=$k 'NR - 1 >= int(n * (k - 1) / 5) && NR - 1 < int(n * k / 5)' u.data)
		diff tr <(awk -v n=$n -v k=$k 'NR - 1 < int(n * (k - 1) / 5) || NR - 1 >= int(n * k / 5)' u.data)
	done
	# allbut 3:7: each user's ratings 3 to 7 in file order
	ml-split -q --test-range 3:7 -o tr -t te u.data
	diff te <(awk -F'\t' '{ c = ++n[$1] } c >= 3 && c <= 7' u.data)
	# temporal: each user's 4 latest by timestamp (file order breaks ties)
	ml-split -q --scheme temporal --test-count 4 -o tr -t te u.data
	diff <(sort te) <(awk -F'\t' '{ print $0 "\t" NR }' u.data | sort -t"$(printf '\t')" -k1,1n -k4,4n -k5,5n |
		awk -F'\t' '{ row[$1, ++n[$1]] = $1 "\t" $2 "\t" $3 "\t" $4 } END {
			for (u in n) if (n[u] > 4) for (i = n[u] - 3; i <= n[u]; i++) print row[u, i] }' | sort)
	# --min-rating drops rows after the split: the same split, less the low ratings
	ml-split -q --scheme leave-out --test-count 2 --seed 4 -o all.tr -t all.te u.data
	ml-split -q --scheme leave-out --test-count 2 --seed 4 --min-rating 4 -o hi.tr -t hi.te u.data
	diff hi.te <(awk -F'\t' '$3 >= 4' all.te)
	diff hi.tr <(awk -F'\t' '$3 >= 4' all.tr)
}

@test "ml-split: a last line without its newline is read, plain and gzipped" {
	printf '1\t2\t4\t100\n1\t3\t5\t200\n2\t3\t1\t300' > u.data
	gzip -c u.data > u.data.gz
	for f in u.data u.data.gz; do
		ml-split -q --scheme none -o out.tsv "$f"
		[ "$(wc -l < out.tsv)" -eq 3 ]
		[ "$(tail -1 out.tsv)" = "$(printf '2\t3\t1\t300')" ]
	done
}
