#!/usr/bin/env bats
# auc: protocols, metrics, and a check against an independent computation.

load helpers

# The mean per-user AUC computed from bpr-score's dumped vectors by awk:
# dot products, ties counting 1/2, train items left out when asked.
independent_auc() {	# users.tsv items.tsv test.tsv [train.tsv]
	awk -F'\t' -v exclude="${4:-}" '
	FILENAME == ARGV[1] { for (k = 2; k <= NF; k++) U[$1, k] = $k; dim = NF; users[$1] = 1; next }
	FILENAME == ARGV[2] { for (k = 2; k <= NF; k++) V[$1, k] = $k; items[$1] = 1; next }
	FILENAME == ARGV[3] { pos[$1, $2] = 1; tu[$1] = 1; next }
	{ if (exclude != "") skip[$1, $2] = 1 }
	END {
		for (u in tu) {
			if (!(u in users)) continue
			np = nn = 0
			for (i in items) {
				s = 0
				for (k = 2; k <= dim; k++) s += U[u, k] * V[i, k]
				if ((u, i) in pos) P[++np] = s
				else if (!((u, i) in skip)) N[++nn] = s
			}
			if (np == 0 || nn == 0) continue
			c = 0
			for (a = 1; a <= np; a++) for (b = 1; b <= nn; b++) c += P[a] > N[b] ? 1 : P[a] == N[b] ? 0.5 : 0
			sum += c / (np * nn); n++
		}
		printf "%.9f\n", sum / n
	}' "$1" "$2" "$3" ${4:+"$4"}
}

@test "auc: matches an independent computation from bpr-score --dump to 1e-6" {
	make_model
	bpr-score -m model.bpr --dump users > users.tsv
	bpr-score -m model.bpr --dump items > items.tsv
	ours=$(auc -m model.bpr test.tsv | awk -F'\t' '$1 == "auc" { print $2 }')
	theirs=$(independent_auc users.tsv items.tsv test.tsv)
	echo "auc $ours, independent $theirs"
	awk -v a="$ours" -v b="$theirs" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }'
	ours=$(auc -m model.bpr --exclude train.tsv test.tsv | awk -F'\t' '$1 == "auc" { print $2 }')
	theirs=$(independent_auc users.tsv items.tsv test.tsv train.tsv)
	echo "clean auc $ours, independent $theirs"
	awk -v a="$ours" -v b="$theirs" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }'
}

@test "auc: prints the protocol as a # line, then metric<TAB>value lines, auc first" {
	make_model
	auc -m model.bpr --exclude train.tsv -k 10 test.tsv > out
	[[ "$(head -1 out)" == "# model.bpr on test.tsv; ranked: the model's "*" items; train positives: left out of the ranking; ties: 1/2; users: "* ]]
	[ "$(sed -n '2,$p' out | cut -f1 | tr '\n' ' ')" = "auc p@10 r@10 ndcg@10 map@10 mrr " ]
	sed -n '2,$p' out | awk -F'\t' 'NF != 2 || $2 < 0 || $2 > 1 { exit 1 }'
}

@test "auc: --compat notebook ranks every id 0..max and counts train positives" {
	make_model
	auc -m model.bpr --compat notebook test.tsv > out
	grep -q '^# .*ranked: every id 0\.\.30 (notebook; [0-9]* without a row); train positives: counted as negatives' out
}

@test "auc: leaving train positives out raises AUC on a trained model" {
	make_split 30 40
	bpr-train -q --train train.tsv --epochs 20 --item-dim 16 --tag-dim 0 -o m.bpr
	a=$(auc -m m.bpr test.tsv | awk -F'\t' '$1 == "auc" { print $2 }')
	b=$(auc -m m.bpr --exclude train.tsv test.tsv | awk -F'\t' '$1 == "auc" { print $2 }')
	awk -v a="$a" -v b="$b" 'BEGIN { exit !(b > a) }'
}

@test "auc: ranking metrics on a hand-made score stream" {
	# user 1 ranks items 5 4 3 2 1; positives 4 and 2 beat 3 of the 6
	# (positive, negative) pairs: AUC 1/2, p@2 1/2, MRR 1/2
	printf '1\t5\t0.9\n1\t4\t0.8\n1\t3\t0.7\n1\t2\t0.6\n1\t1\t0.5\n' > scores.tsv
	printf '1\t4\n1\t2\n' > test.tsv
	auc --scores scores.tsv -k 2 test.tsv > out
	[ "$(metric out auc)" = 0.500000 ]
	[ "$(metric out p@2)" = 0.500000 ]
	[ "$(metric out r@2)" = 0.500000 ]
	[ "$(metric out mrr)" = 0.500000 ]
	# ndcg@2 = (1/log2 3) / (1 + 1/log2 3)
	[ "$(metric out ndcg@2)" = "$(awk 'BEGIN { a = 1 / (log(3) / log(2)); printf "%.6f", a / (1 + a) }')" ]
	# leaving item 5 out (a train positive) makes item 4 first
	printf '1\t5\n' > train.tsv
	auc --scores scores.tsv --exclude train.tsv -k 2 test.tsv < /dev/null > out
	[ "$(metric out mrr)" = 1.000000 ]
	[ "$(metric out auc)" = 0.750000 ]
}

@test "auc: test pairs that are also in --exclude are counted on stderr, and stay positives" {
	make_model
	run --separate-stderr auc -m model.bpr --exclude train.tsv test.tsv
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# two test pairs copied into the exclude set
	{ cat train.tsv; head -2 test.tsv; } > leaky.tsv
	run --separate-stderr auc -m model.bpr --exclude leaky.tsv test.tsv
	[ "$status" -eq 0 ]
	[[ "$stderr" == "auc: 2 of the $(wc -l < test.tsv) pairs of test.tsv are also in leaky.tsv (they stay test positives)"* ]]
	auc -m model.bpr --exclude leaky.tsv test.tsv > a 2> /dev/null
	grep -q 'test positives: '"$(wc -l < test.tsv)"' ' a
}

@test "auc: ties count one half" {
	printf '1\t1\t0.5\n1\t2\t0.5\n1\t3\t0.5\n' > scores.tsv
	printf '1\t1\n2\t1\n' > test.tsv
	auc --scores scores.tsv test.tsv > out
	[ "$(metric out auc)" = 0.500000 ]
	# user 2 has no scores, and the protocol line says where it is missing
	grep -q '^# .*users: 1 (1 not in the scores, ' out
	cat scores.tsv | auc test.tsv > out
	[ "$(metric out auc)" = 0.500000 ]
}

@test "auc: a score stream with no scores is bad data, not a crash" {
	printf '# user\titem\tscore\n' > scores.tsv
	printf '1\t1\n' > test.tsv
	run auc --scores scores.tsv test.tsv
	[ "$status" -eq 1 ]
	[[ "$output" == *"no test user could be evaluated (are they in the scores?)"* ]]
	# sanitized builds: qsort was once handed the empty array's NULL
	[[ "$output" != *"runtime error"* ]]
	run auc --scores /dev/null test.tsv
	[ "$status" -eq 1 ]
	[[ "$output" != *"runtime error"* ]]
}

@test "auc: many positives, crowded ties and spread scores: every pair counted exactly" {
	# user 1: 60 positives, 30 of them tied with 20 negatives; user 2: 3
	# positives among 400 items of coarse scores (many ties everywhere);
	# user 3: 300 positives (more than auc tallies one by one) among 700
	# coarse scores, some 30 positives to a score; user 4: 300 positives,
	# 290 of them spread over [0, 1) and ten far above, so that most share
	# one bucket of the index and are searched, among negatives in [0, 1)
	# and some equal to a positive
	awk 'BEGIN { srand(5)
		for (i = 1; i <= 200; i++) printf "1\t%d\t%s\n", i, (i <= 30 || (i > 100 && i <= 120)) ? "0.25" : sprintf("%.6f", rand() * 2 - 1)
		for (i = 1; i <= 400; i++) printf "2\t%d\t%d\n", i, int(rand() * 7)
		for (i = 1; i <= 700; i++) printf "3\t%d\t%.2f\n", i, int(rand() * 10) / 4
		for (i = 1; i <= 290; i++) { v[i] = sprintf("%.6f", rand()); printf "4\t%d\t%s\n", i, v[i] }
		for (i = 291; i <= 300; i++) printf "4\t%d\t%d\n", i, 1000 + i
		for (i = 301; i <= 700; i++) printf "4\t%d\t%s\n", i, i % 10 ? sprintf("%.6f", rand()) : v[i % 290 + 1] }' > scores.tsv
	{ for i in $(seq 1 60); do printf '1\t%d\n' $i; done; printf '2\t5\n2\t50\n2\t300\n'
	  for i in $(seq 1 2 600); do printf '3\t%d\n' $i; done
	  for i in $(seq 1 300); do printf '4\t%d\n' $i; done; } > test.tsv
	auc --scores scores.tsv -k 5 test.tsv > out
	# every (positive, negative) pair, by brute force
	expected=$(awk -F'\t' 'NR == FNR { pos[$1 "," $2] = 1; next }
		{ s[$1, ++n[$1]] = $3; p[$1, n[$1]] = (($1 "," $2) in pos) }
		END { for (u in n) { num = 0; pairs = 0
			for (i = 1; i <= n[u]; i++) if (p[u, i]) for (j = 1; j <= n[u]; j++) if (!p[u, j]) {
				pairs++; num += s[u, i] > s[u, j] ? 1 : (s[u, i] == s[u, j] ? 0.5 : 0) }
			total += num / pairs; users++ }
			printf "%.6f", total / users }' test.tsv scores.tsv)
	echo "auc $(metric out auc), brute force $expected"
	[ "$(metric out auc)" = "$expected" ]
	# the reciprocal rank of each user's best positive (the first of equals)
	expected=$(awk -F'\t' 'NR == FNR { pos[$1 "," $2] = 1; next }
		{ s[$1, ++n[$1]] = $3; id[$1, n[$1]] = $2; p[$1, n[$1]] = (($1 "," $2) in pos) }
		END { for (u in n) { b = 0
			for (i = 1; i <= n[u]; i++) if (p[u, i] && (b == 0 || s[u, i] > s[u, b])) b = i
			before = 0
			for (j = 1; j <= n[u]; j++)
				before += s[u, j] > s[u, b] || (s[u, j] == s[u, b] && id[u, j] < id[u, b])
			total += 1 / (before + 1); users++ }
			printf "%.6f", total / users }' test.tsv scores.tsv)
	echo "mrr $(metric out mrr), brute force $expected"
	[ "$(metric out mrr)" = "$expected" ]
}

@test "auc: --per-user writes each evaluated user's AUC, averaging to the total" {
	make_model
	auc -m model.bpr --per-user pu.tsv test.tsv > out
	[ "$(wc -l < pu.tsv)" -gt 5 ]
	mean=$(awk -F'\t' '{ s += $2; n++ } END { printf "%.4f", s / n }' pu.tsv)
	[ "$mean" = "$(awk -F'\t' '$1 == "auc" { printf "%.4f", $2 }' out)" ]
}

@test "auc: --threads does not change the numbers" {
	make_model
	auc -m model.bpr -k 5 --threads 1 test.tsv > a
	auc -m model.bpr -k 5 --threads 3 test.tsv > b
	cmp a b
}

@test "auc: --items ranks a fixed catalogue; items without a row are scored by their tags" {
	make_model
	# a catalogue with two items no one has rated
	{ cut -f1 titles.tsv; printf '31\n32\n'; } > catalogue.tsv
	printf '31\t1\n31\t2\n32\t3\n' >> item-tags.tsv
	auc -m model.bpr --exclude train.tsv --items catalogue.tsv test.tsv > out
	grep -q "ranked: the list's 32 items (2 without a row: by tags)" out
	awk -F'\t' '$1 == "auc" { exit !($2 > 0 && $2 < 1) }' out
	bad 2 '--items chooses what a model ranks: it needs -m' auc --items catalogue.tsv test.tsv
}

@test "auc: every metric of every user as an independent awk ranking computes it" {
	# 40 users x 30 items, scores with ties (one decimal), 1 to 9 test positives each
	awk 'BEGIN { srand(11); for (u = 1; u <= 40; u++) for (i = 1; i <= 30; i++)
		printf "%d\t%d\t%.1f\n", u, i, int(rand() * 20) / 10 }' > scores.tsv
	awk 'BEGIN { srand(12); for (u = 1; u <= 40; u++) { n = 1 + int(rand() * 9)
		for (i = 1; i <= 30 && n > 0; i++) if (rand() < 0.3) { print u "\t" i; n-- } } }' > test.tsv
	for k in 1 5 30; do
		auc --scores scores.tsv -k $k test.tsv > out
		# rank by score, ties by item id; AUC over (positive, negative) pairs, ties 1/2
		sort -t"$(printf '\t')" -k1,1n -k3,3gr -k2,2n scores.tsv | awk -F'\t' -v K=$k '
			NR == FNR { pos[$1, $2] = 1; np[$1]++; next }
			$1 != u { flush(); u = $1; r = 0 }
			{ r++; item[r] = $2; s[r] = $3; n = r }
			END { flush(); printf "auc\t%.6f\np@%d\t%.6f\nr@%d\t%.6f\nndcg@%d\t%.6f\nmap@%d\t%.6f\nmrr\t%.6f\n",
				A / U, K, P / U, K, R / U, K, N / U, K, M / U, RR / U }
			function flush(   i, j, h, dcg, idcg, ap, first, pairs, right) {
				if (u == "" || !(u in np)) return
				for (i = 1; i <= n; i++) for (j = 1; j <= n; j++)
					if (pos[u, item[i]] && !pos[u, item[j]]) {
						pairs++; right += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0 }
				for (i = 1; i <= n; i++) if (pos[u, item[i]]) {
					if (!first) first = i
					if (i <= K) { h++; dcg += 1 / (log(i + 1) / log(2)); ap += h / i } }
				for (i = 1; i <= np[u] && i <= K; i++) idcg += 1 / (log(i + 1) / log(2))
				A += right / pairs; P += h / K; R += h / np[u]; N += dcg / idcg
				M += ap / (np[u] < K ? np[u] : K); RR += 1 / first; U++ }' test.tsv - > want
		diff <(sed 1d out) want
	done
}

@test "auc --scores: the protocol line counts the users and test positives the scores leave unranked" {
	# scores for users 1..6 over items 1..8; user 7 has none
	awk 'BEGIN { for (u = 1; u <= 6; u++) for (i = 1; i <= 8; i++) print u "\t" i "\t" (u * i) % 5 }' > scores.tsv
	awk 'BEGIN { for (u = 1; u <= 7; u++) for (i = u; i <= 12; i += 3) print u "\t" i }' > test.tsv
	auc --scores scores.tsv test.tsv > out.txt
	# unrankable: test pairs of scored users whose item has no score
	want=$(awk -F'\t' '$1 <= 6 && $2 > 8' test.tsv | wc -l)
	users=$(awk -F'\t' '$1 <= 6' test.tsv | cut -f1 | sort -u | wc -l)
	ranked=$(awk -F'\t' '$1 <= 6 && $2 <= 8' test.tsv | wc -l)
	grep -q "users: $users (1 not in the scores, 0 without a test item to rank); test positives: $ranked ($want not rankable)" out.txt
}
