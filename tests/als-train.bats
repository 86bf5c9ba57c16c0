#!/usr/bin/env bats
# als-train: implicit ALS, and rank blends of models in auc and bpr-score.

load helpers

# A planted structure of rank 3: users and items are random points, and
# each user likes the 15 of 90 items their point scores highest; 3 of
# each user's items are held out.
make_planted() {
	awk 'BEGIN {
		srand(11)
		for (i = 1; i <= 90; i++) for (k = 1; k <= 3; k++) V[i, k] = rand() - 0.5
		for (u = 1; u <= 120; u++) {
			for (k = 1; k <= 3; k++) U[k] = rand() - 0.5
			for (i = 1; i <= 90; i++) { S[i] = 0; for (k = 1; k <= 3; k++) S[i] += U[k] * V[i, k]; took[i] = 0 }
			for (r = 1; r <= 15; r++) {
				b = 0
				for (i = 1; i <= 90; i++) if (!took[i] && (b == 0 || S[i] > S[b])) b = i
				took[b] = 1
				print u "\t" b "\t" (r % 5 == 0 ? "test" : "train")
			}
		}
	}' > tagged.tsv
	awk -F'\t' '$3 == "train" { print $1 "\t" $2 }' tagged.tsv > train.tsv
	awk -F'\t' '$3 == "test" { print $1 "\t" $2 }' tagged.tsv > test.tsv
}

metric_of() { awk -F'\t' -v m="$1" '$1 == m { print $2 }'; }

@test "als-train: recovers a planted low-rank structure (clean AUC above 0.95), exact or by conjugate gradient" {
	make_planted
	als-train -q --train train.tsv --seed 1 -o als.bpr
	auc=$(auc -m als.bpr --exclude train.tsv test.tsv | metric_of auc)
	echo "exact: $auc"
	awk -v a="$auc" 'BEGIN { exit !(a > 0.95) }'
	als-train -q --train train.tsv --seed 1 --cg-steps 3 -o cg.bpr
	cg=$(auc -m cg.bpr --exclude train.tsv test.tsv | metric_of auc)
	echo "cg: $cg"
	awk -v a="$cg" 'BEGIN { exit !(a > 0.95) }'
}

# item_equations A0 LAMBDA DIM TAGS MODE WEIGHT: every item vector of als.bpr
# (DIM values of its own, then one a tag id 0..5 when TAGS is a file) solves
# (alpha0 sum_u w w' + sum_{u likes i} w w' + lambda (n_i + alpha0 |U|) I) v_i = sum_{u likes i} w
# in its own DIM rows, v_i the whole vector; each tag value is WEIGHT over
# the item's tags (MODE mean) or WEIGHT (sum) on its tags, 0 elsewhere.
item_equations() {
	bpr-score -m als.bpr --dump users > users.tsv
	bpr-score -m als.bpr --dump items > items.tsv
	awk -F'\t' -v a0="$1" -v l="$2" -v d="$3" -v mode="$5" -v wt="$6" '
	FILENAME == ARGV[1] { nu++; D = NF - 1; for (k = 1; k <= D; k++) W[$1, k] = $(k + 1); U[$1] = 1; next }
	FILENAME == ARGV[2] { if (NF - 1 != D) { print "items have " NF - 1 " values, users " D; exit 1 }
		for (k = 1; k <= D; k++) H[$1, k] = $(k + 1); I[$1] = 1; next }
	FILENAME == ARGV[3] { T[$1, $2] = 1; nt[$1]++; next }
	{ likes[$2] = likes[$2] " " $1; n[$2]++ }
	END {
		for (i in I) for (t = 0; d + t < D; t++) {
			want = (i, t) in T ? (mode == "sum" ? wt : wt / nt[i]) : 0
			if ((H[i, d + 1 + t] - want) ^ 2 > 1e-12) { printf "item %s tag %d: %g, not %g\n", i, t, H[i, d + 1 + t], want; bad = 1 }
		}
		for (u in U) for (a = 1; a <= D; a++) for (b = 1; b <= D; b++) G[a, b] += W[u, a] * W[u, b]
		for (i in I) {
			for (a = 1; a <= d; a++) { rhs[a] = 0; for (b = 1; b <= D; b++) A[a, b] = a0 * G[a, b] + (a == b ? l * (n[i] + a0 * nu) : 0) }
			m = split(likes[i], us, " ")
			for (q = 1; q <= m; q++) for (a = 1; a <= d; a++) {
				rhs[a] += W[us[q], a]
				for (b = 1; b <= D; b++) A[a, b] += W[us[q], a] * W[us[q], b]
			}
			for (a = 1; a <= d; a++) {
				r = -rhs[a]; for (b = 1; b <= D; b++) r += A[a, b] * H[i, b]
				scale = 1 + (rhs[a] < 0 ? -rhs[a] : rhs[a])
				if ((r < 0 ? -r : r) > 1e-3 * scale) { printf "item %s row %d: residual %g\n", i, a, r; bad = 1 }
			}
			checked++
		}
		printf "%d items checked, %d values each\n", checked, D
		exit bad || checked < 60
	}' users.tsv items.tsv "$4" train.tsv
}

@test "als-train: every item vector solves its normal equations, checked apart from ours" {
	make_planted
	als-train -q --train train.tsv --dim 3 --alpha0 0.3 --lambda 0.05 --sweeps 2 -o als.bpr
	item_equations 0.3 0.05 3 /dev/null off 0
}

# Tags of the planted items: one of 0..3 by the id, and 5 for every third.
make_tags() {
	awk 'BEGIN { for (i = 1; i <= 90; i++) { print i "\t" i % 4; if (i % 3 == 0) print i "\t5" } }' > tags.tsv
}

@test "als-train: with --item-tags, each tag part is the weight over the tags (mean) or on each (sum), and every item vector solves its normal equations with it held (exact or conjugate gradient), checked apart from ours" {
	make_planted
	make_tags
	# exact, and by conjugate gradient: 3 steps solve a system of 3 unknowns
	for how in mean:0.7:0 sum:0.4:3; do
		mode=${how%:*}
		als-train -q --train train.tsv --item-tags tags.tsv --tag-mode "${mode%:*}" \
			--tag-weight "${mode#*:}" --cg-steps "${how##*:}" --dim 3 --alpha0 0.3 \
			--lambda 0.05 --sweeps 2 -o als.bpr
		# 3 values of its own, then one a tag id 0..5
		item_equations 0.3 0.05 3 tags.tsv "${mode%:*}" "${mode#*:}"
		[ "$(head -1 items.tsv | awk -F'\t' '{ print NF }')" -eq 10 ]
	done
}

@test "als-train: with --item-tags, the planted structure is still found (exact and conjugate gradient), cold items are scored by their tags, --tag-mode off is the catalogue alone" {
	make_planted
	make_tags
	for cg in 0 3; do
		als-train -q --train train.tsv --item-tags tags.tsv --cg-steps "$cg" --seed 1 -o als.bpr
		auc=$(auc -m als.bpr --exclude train.tsv test.tsv | metric_of auc)
		echo "cg-steps $cg: $auc"
		awk -v a="$auc" 'BEGIN { exit !(a > 0.95) }'
	done
	# a new item with tags 1 and 5: the mean of those tags' embeddings (the weight on their
	# own value) against the user's last 6 values, one a tag
	bpr-score -m als.bpr --dump tags | awk -F'\t' '{ print $1 "\t" $($1 + 2) }' > weights.tsv
	bpr-score -m als.bpr --dump users | awk -F'\t' 'NR == FNR { w[$1] = $2; next }
		$1 == 7 { print ($(NF - 4) * w[1] + $NF * w[5]) / 2 }' weights.tsv - > want.txt
	bpr-score -m als.bpr --cold-item 1,5 --user 7 | awk -F'\t' '{ print $NF }' > got.txt
	awk 'NR == FNR { w = $1; next } { d = $1 - w; exit !(w * w > 1e-6 && d * d < 1e-10) }' want.txt got.txt
	# no tag part: the model --items would make
	als-train -q --train train.tsv --item-tags tags.tsv --tag-mode off --dim 4 -o off.bpr
	als-train -q --train train.tsv --items tags.tsv --dim 4 -o items.bpr
	cmp off.bpr items.bpr
}

@test "als-train: same seed, same bytes, whatever the thread count; the model reads everywhere" {
	make_planted
	als-train -q --train train.tsv --dim 4 --seed 3 --threads 1 -o a.bpr
	als-train -q --train train.tsv --dim 4 --seed 3 --threads 2 -o b.bpr
	cmp a.bpr b.bpr
	cat train.tsv | als-train -q --train - --dim 4 --seed 3 -o c.bpr
	cmp a.bpr c.bpr
	als-train -q --train train.tsv --dim 4 --seed 4 -o d.bpr
	not cmp -s a.bpr d.bpr
	bpr-score -m a.bpr --top 3 --user 1 | grep -c . | grep -qx 3
}

@test "als-train: --items adds catalogue items at zero; --eval, --valid, --patience and --log" {
	make_planted
	printf '500\t1\n501\t2\n' > extra.tsv
	als-train -q --train train.tsv --dim 4 --items extra.tsv -o a.bpr
	bpr-score -m a.bpr --dump items | awk -F'\t' '$1 >= 500 { n++; for (k = 2; k <= NF; k++) if ($k != 0) bad = 1 }
		END { exit bad || n != 2 }'
	head -200 test.tsv > valid.tsv
	run als-train --train train.tsv --dim 4 --sweeps 12 --eval test.tsv --valid valid.tsv \
		--patience 1 --log log.tsv -o b.bpr
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"clean auc"* ]]
	[ "$(head -1 log.tsv)" = "$(printf 'epoch\tloss\tauc\tclean_auc\tvalid_auc\tseconds\tclean_p@10\twall')" ]
	# one row before training and one a sweep trained
	[ "$(wc -l < log.tsv)" -ge 3 ]
}

@test "als-train: usage errors" {
	bad 2 '^als-train: no positives given' als-train -o m.bpr
	bad 2 '^als-train: no model to write' als-train --train x.tsv
	bad 2 '^als-train: --patience stops on the validation AUC' als-train --train x.tsv --patience 2 -o m.bpr
	bad 2 "^als-train: --dim 0 is out of range" als-train --train x.tsv --dim 0 -o m.bpr
	bad 2 "^als-train: --tag-mode and --tag-weight shape the tag part: they need --item-tags" \
		als-train --train x.tsv --tag-weight 2 -o m.bpr
	bad 2 "^als-train: --tag-mode: 'padded-mean' is not mean, sum or off" \
		als-train --train x.tsv --item-tags x.tsv --tag-mode padded-mean -o m.bpr
	printf '1\t2\n' > train.tsv
	printf '1\t256\n' > tags.tsv
	bad 1 "^als-train: tag ids up to 256: the tag part has one value a tag, and at most 256 tags" \
		als-train --train train.tsv --item-tags tags.tsv -o m.bpr
	[ ! -e m.bpr ]
}

@test "blend: a model blended with itself ranks exactly as the model alone, in auc and bpr-score" {
	make_planted
	als-train -q --train train.tsv --dim 4 -o a.bpr
	for proto in "--exclude train.tsv -k 5" "--compat notebook -k 5"; do
		# shellcheck disable=SC2086
		auc -m a.bpr $proto test.tsv | grep -v '^#' > one.txt
		# shellcheck disable=SC2086
		auc -m a.bpr -m a.bpr $proto test.tsv | grep -v '^#' > two.txt
		cmp one.txt two.txt
	done
	bpr-score -m a.bpr --top 5 --all-users --exclude train.tsv | cut -f1-3 > one.txt
	bpr-score -m a.bpr -m a.bpr --top 5 --all-users --exclude train.tsv | cut -f1-3 > two.txt
	cmp one.txt two.txt
}

@test "blend: every user's top list is the best mean rank of the models, computed apart from ours" {
	make_planted
	als-train -q --train train.tsv --dim 3 -o a.bpr
	bpr-train -q --train train.tsv --item-dim 3 --tag-dim 0 --no-bias --epochs 3 -o b.bpr
	for m in a b; do
		bpr-score -m $m.bpr --dump users > $m-users.tsv
		bpr-score -m $m.bpr --dump items > $m-items.tsv
	done
	bpr-score -m a.bpr -m b.bpr --top 4 --all-users --exclude train.tsv | cut -f1-3 > got.tsv
	# ranks by dot products (1 the best, ties their mean), the mean of the two, best first
	awk -F'\t' '
	FILENAME ~ /users/ { m = substr(FILENAME, 1, 1); for (k = 2; k <= NF; k++) W[m, $1, k] = $k; users[$1] = 1; next }
	FILENAME ~ /items/ { m = substr(FILENAME, 1, 1); for (k = 2; k <= NF; k++) H[m, $1, k] = $k; items[$1] = 1; dim = NF; next }
	{ seen[$1, $2] = 1 }
	END {
		for (u in users) {
			for (i in items) R[i] = 0
			for (mi = 1; mi <= 2; mi++) {
				m = mi == 1 ? "a" : "b"
				for (i in items) { s = 0; for (k = 2; k <= dim; k++) s += W[m, u, k] * H[m, i, k]; S[i] = s }
				for (i in items) { above = 0; tie = 0
					for (j in items) { if (S[j] > S[i]) above++; else if (S[j] == S[i]) tie++ }
					R[i] += (above + (tie + 1) / 2) / 2 }
			}
			for (r = 1; r <= 4; r++) {
				best = ""
				for (i in items) if (!((u, i) in seen) && !(i in taken) &&
				    (best == "" || R[i] < R[best] || (R[i] == R[best] && i + 0 < best + 0))) best = i
				taken[best] = 1
				print u "\t" r "\t" best
			}
			delete taken
		}
	}' a-users.tsv b-users.tsv a-items.tsv b-items.tsv train.tsv | sort -k1,1n -k2,2n > want.tsv
	sort -k1,1n -k2,2n got.tsv | cmp - want.tsv
}

@test "blend: the # line counts the candidates that any of the models has no row for" {
	make_planted
	als-train -q --train train.tsv --dim 4 -o a.bpr
	awk -F'\t' '$2 > 10' train.tsv > part.tsv
	als-train -q --train part.tsv --dim 4 -o b.bpr
	without() { sed -n '1s/.*items (\([0-9]*\) without a row.*/\1/p'; }
	# the candidates are a's items; b has none of those up to 10
	want=$(awk -F'\t' '$2 <= 10 { print $2 }' train.tsv | sort -u | wc -l)
	[ "$want" -gt 0 ]
	got=$(auc -m a.bpr -m b.bpr --exclude train.tsv test.tsv | without)
	echo "a then b: $got, want $want"
	[ "$got" -eq "$want" ]
	# every id 0..max: those that are not items of both
	max=$(cut -f2 train.tsv test.tsv | sort -n | tail -1)
	want=$((max + 1 - $(cut -f2 part.tsv | sort -u | wc -l)))
	for order in "a.bpr -m b.bpr" "b.bpr -m a.bpr"; do
		# shellcheck disable=SC2086
		got=$(auc -m $order --compat notebook test.tsv | without)
		echo "$order: $got, want $want"
		[ "$got" -eq "$want" ]
	done
}

@test "blend: usage errors and users a model lacks; bpr-train does not resume an als-train model" {
	make_planted
	als-train -q --train train.tsv --dim 4 -o a.bpr
	bad 2 '^auc: --blend 1: 1 weights for 2 models' auc -m a.bpr -m a.bpr --blend 1 test.tsv
	bad 2 '^auc: --blend weighs the ranks of several models' auc -m a.bpr --blend 1,1 test.tsv
	bad 2 "^auc: the blend's weights add up to 0" auc -m a.bpr -m a.bpr --blend 0,0 test.tsv
	bad 2 '^bpr-score: several models \(-m\) blend their ranks for --top only' \
		bpr-score -m a.bpr -m a.bpr --dump items
	bad 1 "^bpr-train: a.bpr: the model is als-train's, which keeps no optimiser's state" \
		bpr-train --train train.tsv --init a.bpr -o m.bpr
	# a user only the second model has is ranked by it alone
	printf '9999\t1\n9999\t2\n' >> train.tsv
	als-train -q --train train.tsv --dim 4 -o b.bpr
	bpr-score -m a.bpr -m b.bpr --top 3 --user 9999 | cut -f1-3 > got.tsv
	bpr-score -m b.bpr --top 3 --user 9999 | cut -f1-3 | cmp - got.tsv
	# a model of weight 0 has no say: the blend is the other model alone,
	# and 9999, whom only it has, is not evaluated
	printf '9999\t3\n' >> test.tsv
	auc -m a.bpr --exclude train.tsv -k 5 test.tsv | grep -v '^#' > one.txt
	auc -m a.bpr -m b.bpr --blend 1,0 --exclude train.tsv -k 5 test.tsv > two.txt
	grep -q '(1 not in the model' two.txt
	grep -v '^#' two.txt | cmp - one.txt
	bad 1 '^bpr-score: user 12345 is not in the models' bpr-score -m a.bpr -m b.bpr --top 3 --user 12345
}
