#!/usr/bin/env bats
# bpr-score: pairs, top-k, similar items and users, cold items, dumps.

load helpers

@test "bpr-score: pair scores are the dot products of the dumped vectors" {
	make_model
	bpr-score -m model.bpr --dump users > users.tsv
	bpr-score -m model.bpr --dump items > items.tsv
	head -5 test.tsv | cut -f1,2 | bpr-score -m model.bpr > scores.tsv
	[ "$(wc -l < scores.tsv)" -eq 5 ]
	awk -F'\t' 'FILENAME == ARGV[1] { for (k = 2; k <= NF; k++) U[$1, k] = $k; d = NF; next }
		FILENAME == ARGV[2] { for (k = 2; k <= NF; k++) V[$1, k] = $k; next }
		{ s = 0; for (k = 2; k <= d; k++) s += U[$1, k] * V[$2, k]
		  x = s - $3; if (x < 0) x = -x; if (x > 1e-5) bad = 1 }
		END { exit bad }' users.tsv items.tsv scores.tsv
}

@test "bpr-score: --top K --exclude --titles --user (the issue's command line)" {
	make_model
	bpr-score -m model.bpr --top 5 --exclude train.tsv --titles titles.tsv --user 3 > top.tsv
	[ "$(wc -l < top.tsv)" -eq 5 ]
	[ "$(cut -f1 top.tsv | sort -u)" = 3 ]
	[ "$(cut -f2 top.tsv | tr '\n' ' ')" = "1 2 3 4 5 " ]
	# scores descend, titles are the items', no train item is recommended
	awk -F'\t' 'NR > 1 && $4 > prev { exit 1 } { prev = $4 }' top.tsv
	awk -F'\t' '{ if ($5 != sprintf("Movie %d (19%02d)", $3, $3 % 100)) exit 1 }' top.tsv
	not awk -F'\t' 'NR == FNR { if ($1 == 3) t[$2] = 1; next } $3 in t { found = 1 } END { exit !found }' train.tsv top.tsv
	# without --exclude the user's train items may come back: the ranking is the full one
	bpr-score -m model.bpr --top 30 --user 3 > all.tsv
	[ "$(wc -l < all.tsv)" -eq 30 ]
}

@test "bpr-score: --top for users on stdin and --all-users" {
	make_model
	printf '1\n2\n' | bpr-score -m model.bpr --top 3 > a.tsv
	[ "$(cut -f1 a.tsv | uniq | tr '\n' ' ')" = "1 2 " ]
	bpr-score -m model.bpr --top 2 --all-users > b.tsv
	[ "$(cut -f1 b.tsv | sort -un | wc -l)" -eq "$(cut -f1 train.tsv | sort -u | wc -l)" ]
	bpr-score -m model.bpr --top 2 --all-users --threads 1 > c.tsv
	cmp b.tsv c.tsv
}

@test "bpr-score: --similar-items and --similar-users rank by cosine" {
	make_model
	bpr-score -m model.bpr --similar-items 7 --top 4 --titles titles.tsv > s.tsv
	[ "$(wc -l < s.tsv)" -eq 4 ]
	cut -f3 s.tsv | not grep -qx 7
	awk -F'\t' '$4 > 1.000001 || $4 < -1.000001 { exit 1 } NR > 1 && $4 > prev { exit 1 } { prev = $4 }' s.tsv
	# the cosine of the first neighbour, recomputed from the dumped vectors
	# (without their last column, the bias, which is not part of the embedding)
	bpr-score -m model.bpr --dump items | awk -F'\t' -v OFS='\t' '{ NF--; print }' > items.tsv
	first=$(head -1 s.tsv | cut -f3)
	awk -F'\t' -v a=7 -v b="$first" -v want="$(head -1 s.tsv | cut -f4)" \
		'$1 == a { for (k = 2; k <= NF; k++) A[k] = $k; d = NF } $1 == b { for (k = 2; k <= NF; k++) B[k] = $k }
		END { for (k = 2; k <= d; k++) { ab += A[k] * B[k]; aa += A[k] ^ 2; bb += B[k] ^ 2 }
		      c = ab / sqrt(aa * bb); x = c - want; if (x < 0) x = -x; exit !(x < 1e-5) }' items.tsv
	bpr-score -m model.bpr --similar-users 2 --top 3 > u.tsv
	[ "$(wc -l < u.tsv)" -eq 3 ]
}

@test "bpr-score: --cold-item scores users from tags alone" {
	make_model
	# user<TAB>TAGS<TAB>score for every user, TAGS as ids joined by commas
	bpr-score -m model.bpr --cold-item 01,2 > all.tsv
	[ "$(wc -l < all.tsv)" -eq "$(cut -f1 train.tsv | sort -u | wc -l)" ]
	[ "$(cut -f2 all.tsv | sort -u)" = "1,2" ]
	# each score is the user's tag part . the mean of the two tags' vectors
	# (8 item values, then 4 tag values; a cold item has no bias)
	bpr-score -m model.bpr --dump users > users.tsv
	bpr-score -m model.bpr --dump tags > tags.tsv
	awk -F'\t' 'FILENAME == "tags.tsv" { for (k = 2; k <= 5; k++) t[$1, k - 1] = $k; next }
		FILENAME == "users.tsv" { for (k = 1; k <= 4; k++) u[$1, k] = $(9 + k); next }
		{ s = 0; for (k = 1; k <= 4; k++) s += u[$1, k] * (t[1, k] + t[2, k]) / 2
		  d = s - $3; if (d < 0) d = -d; if (d > 1e-5 * (1 + (s < 0 ? -s : s))) bad++; n++ }
		END { exit !(n > 0 && bad == 0) }' tags.tsv users.tsv all.tsv
	bpr-score -m model.bpr --cold-item 1,2 --user 4 > one.tsv
	[ "$(cat one.tsv)" = "$(awk -F'\t' '$1 == 4' all.tsv)" ]
	# with --top: TAGS<TAB>rank<TAB>user<TAB>score, as the other queries
	bpr-score -m model.bpr --cold-item 1,2 --top 3 > top.tsv
	[ "$(cut -f1,2 top.tsv | tr '\n' ' ')" = "$(printf '1,2\t1 1,2\t2 1,2\t3 ')" ]
	[ "$(cut -f3,4 top.tsv)" = "$(sort -t"$(printf '\t')" -k3,3gr -k1,1n all.tsv | head -3 | cut -f1,3)" ]
}

@test "bpr-score: --dump users, items and tags" {
	make_model
	# 8 + 4 values, and the bias column: a 1 for users, the bias for items
	[ "$(bpr-score -m model.bpr --dump users | head -1 | awk -F'\t' '{ print NF }')" -eq 14 ]
	[ "$(bpr-score -m model.bpr --dump users | head -1 | awk -F'\t' '{ print $NF }')" = 1 ]
	[ "$(bpr-score -m model.bpr --dump items | head -1 | awk -F'\t' '{ print NF }')" -eq 14 ]
	[ "$(bpr-score -m model.bpr --dump tags | wc -l)" -eq 5 ]
	[ "$(bpr-score -m model.bpr --dump tags | head -1 | awk -F'\t' '{ print NF }')" -eq 5 ]
	bpr-score -m model.bpr --dump items > items.tsv
	[ "$(cut -f1 items.tsv | sort -n | tr '\n' ' ')" = "$(cut -f1 items.tsv | tr '\n' ' ')" ]
}

@test "bpr-score: every score is the shortest text that reads back as the same float" {
	need_command perl
	make_model
	bpr-score -m model.bpr --top 10 --all-users > top.tsv
	cut -f1,3 top.tsv | bpr-score -m model.bpr > pairs.tsv
	bpr-score -m model.bpr --similar-items 3 --top 6 > sim.tsv
	bpr-score -m model.bpr --cold-item 1,2 > cold.tsv
	# float32 of the text, and no shorter text gives that float (perl's pack, not our code)
	cut -f4 top.tsv > texts
	cut -f3 pairs.tsv >> texts
	cut -f4 sim.tsv >> texts
	cut -f3 cold.tsv >> texts
	perl -ne 'chomp; my $f = unpack("f", pack("f", $_)); my ($m) = /^-?([0-9.]+)/; (my $d = $m) =~ s/[^0-9]//g; $d =~ s/^0+//;
		my $n = length($d) || 1; die "$_: more than 9 digits\n" if $n > 9 && $_ !~ /e/;
		for my $p (1 .. $n - 1) { my $t = sprintf("%.*g", $p, $f);
			die "$_ is not the shortest: $t reads back the same\n" if unpack("f", pack("f", $t)) == $f }' texts
	# the same pair, the same text, whichever query printed it
	[ "$(cut -f4 top.tsv)" = "$(cut -f3 pairs.tsv)" ]
}

@test "bpr-score: --top beyond what a query ranks is refused, whatever the query" {
	make_model
	users=$(cut -f1 train.tsv | sort -u | wc -l)
	bad 2 "--top $users is more than the model's $((users - 1)) other users" \
		bpr-score -m model.bpr --similar-users 2 --top "$users"
	bad 2 '--top 30 is more than the model.s 29 other items' bpr-score -m model.bpr --similar-items 2 --top 30
	bad 2 '--top 31 is more than the model.s 30 items' bpr-score -m model.bpr --top 31 --user 1
	bad 2 "--top $((users + 1)) is more than the model's $users users" \
		bpr-score -m model.bpr --cold-item 1 --top $((users + 1))
	[ "$(bpr-score -m model.bpr --similar-users 2 --top $((users - 1)) | wc -l)" -eq $((users - 1)) ]
	[ "$(bpr-score -m model.bpr --similar-items 2 --top 29 | wc -l)" -eq 29 ]
}

@test "bpr-score: every user's --top with --exclude is its K best unexcluded items, by the dumped vectors" {
	make_model 30 40
	bpr-score -m model.bpr --top 5 --all-users --exclude train.tsv > top.tsv
	bpr-score -m model.bpr --dump users > u.tsv
	bpr-score -m model.bpr --dump items > i.tsv
	# score = user . item (the 1 column and the bias column are a dot product too)
	awk -F'\t' 'FILENAME == "train.tsv" { seen[$1, $2] = 1; next }
		FILENAME == "u.tsv" { for (k = 2; k <= NF; k++) u[$1, k] = $k; nu[$1] = NF; next }
		FILENAME == "i.tsv" { items[++ni] = $1; for (k = 2; k <= NF; k++) it[$1, k] = $k; next }
		{ users[$1] = 1; top[$1, $2] = $3; sc[$1, $2] = $4; n[$1]++ }
		END {
			for (x in nu) if (!(x in users)) { print "user " x " has no list"; bad = 1 }
			for (x in users) {
				if (n[x] != 5) { print "user " x ": " n[x] " items"; bad = 1 }
				kth = sc[x, 5]
				for (r = 1; r <= 5; r++) {
					if (seen[x, top[x, r]]) { print "user " x ": excluded item " top[x, r]; bad = 1 }
					if (r > 1 && sc[x, r] > sc[x, r - 1]) { print "user " x ": not in order"; bad = 1 }
					listed[x, top[x, r]] = 1
				}
				for (j = 1; j <= ni; j++) {
					i = items[j]; s = 0; for (k = 2; k <= nu[x]; k++) s += u[x, k] * it[i, k]
					if (listed[x, i]) { d = s - sc[x, i == top[x, 1] ? 1 : rank(x, i)]; if (d < 0) d = -d
						if (d > 1e-4) { print "user " x " item " i ": score " s; bad = 1 } }
					else if (!seen[x, i] && s > kth + 1e-4) { print "user " x ": item " i " (" s ") beats the 5th"; bad = 1 }
				}
			}
			exit bad
		}
		function rank(x, i,   r) { for (r = 1; r <= 5; r++) if (top[x, r] == i) return r }' \
		train.tsv u.tsv i.tsv top.tsv
}
