#!/usr/bin/env bash
# make experiment: the notebook's run on MovieLens 100k, by our six tools.
#
#   ML100K   ml-100k directory or ml-100k.zip; else ./data/ml-100k,
#            ../shared/data/ml-100k, or a download from GroupLens
#   OUT      where everything goes (default: experiment/)
#   SEED     (default 1)
#   VALGRIND a command to run every tool under (make valgrind)
set -eu

prog=experiment
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/experiment}
seed=${SEED:-1}
. "$root/pipelines/common.sh"

# stage NAME COMMAND...: run it, and keep its wall time for the report. The
# clock is bash's own (EPOCHREALTIME): a `date` process would add its start-up
# to every stage timed. Its decimal point may be a comma in some locales.
stage() {
	local name=$1 t0=${EPOCHREALTIME:-} t1
	shift
	[ -n "$t0" ] || t0=$(date +%s.%N)
	"$@"
	t1=${EPOCHREALTIME:-}
	[ -n "$t1" ] || t1=$(date +%s.%N)
	awk -v n="$name" -v a="${t0/,/.}" -v b="${t1/,/.}" \
		'BEGIN { printf "%s\t%.3f\n", n, b - a }' >> "$out/timings.tsv"
}

split() {
	tool ml-split --scheme allbut --test-range 1:10 --min-rating 4 \
		-o "$out/train.tsv" -t "$out/test.tsv" "$ratings" 2> "$out/split.log"
}

genres() {
	tool ml-genres --vocab "$out/tags.tsv" --titles "$out/titles.tsv" \
		-o "$out/item-tags.tsv" "$items" 2> "$out/genres.log"
}

train() {
	tool triplet-sample -q --epochs 30 --seed "$seed" --neg unseen --items "$out/item-tags.tsv" \
		"$out/train.tsv" |
	tool bpr-train --seed "$seed" --item-tags "$out/item-tags.tsv" \
		--eval "$out/test.tsv" --eval-every 1 --log "$out/train-log.tsv" \
		-o "$out/model.bpr" - 2> "$out/train.log"
}

# beside COMMAND...: start it in the background (a second processor), for `wait "$beside_pid"`.
beside() {
	"$@" &
	beside_pid=$!
}

# The split and the catalogue need nothing of each other: each on a processor of its own.
split_genres() {
	beside genres
	split
	wait "$beside_pid"
}

# The two protocols' numbers, each auc on a processor of its own.
measure() {
	beside tool auc -m "$out/model.bpr" --compat notebook --items "$out/titles.tsv" -k 10 \
		"$out/test.tsv" > "$out/auc-notebook.tsv"
	tool auc -m "$out/model.bpr" --exclude "$out/train.tsv" --items "$out/titles.tsv" -k 10 \
		--per-user "$out/user-auc.tsv" "$out/test.tsv" > "$out/auc-clean.tsv"
	wait "$beside_pid"
}

query() {
	beside tool bpr-score -m "$out/model.bpr" --top 5 --user 600 --exclude "$out/train.tsv" \
		--titles "$out/titles.tsv" > "$out/top5-user600.tsv"
	tool bpr-score -m "$out/model.bpr" --similar-items 183 --top 10 \
		--titles "$out/titles.tsv" > "$out/similar-183.tsv"
	wait "$beside_pid"
}

# The map and projector files, then the pictures (pipelines/plots.sh).
pictures() {
	tool bpr-score -m "$out/model.bpr" --map items --titles "$out/titles.tsv" \
		--vocab "$out/tags.tsv" > "$out/map-items.tsv"
	tool bpr-score -m "$out/model.bpr" --map tags --vocab "$out/tags.tsv" > "$out/map-tags.tsv"
	tool bpr-score -m "$out/model.bpr" --projector "$out/projector" --titles "$out/titles.tsv" \
		--vocab "$out/tags.tsv"
	"$root/pipelines/plots.sh" -n -c "MovieLens 100k, ua split, ratings >= 4" "$out" 2> "$out/plots.log"
}

protocol() { sed -n 's/^# [^;]*; //p' "$1"; }
# The AUC lines of bpr-train's log at the epochs the notebook printed (0,
# 10, 20, 30) and at the best clean AUC: epoch, loss, both AUCs.
curve_rows() {
	awk -F'\t' 'NR > 1 && $4 != "" && $1 > 0 && (b == "" || $4 > b) { b = $4; e = $1 }
		NR > 1 && $3 != "" { row[$1] = $0 }
		END { for (k = 0; k <= 30; k += 10) show(k); if (e % 10) show(e) }
		function show(k,    f) { if (!(k in row)) return; split(row[k], f, "\t")
			printf "| %s%s | %s | %s | %s |\n", k, (k == e ? " (best clean)" : ""), (f[2] == "" ? "-" : f[2]), f[3], f[4] }' \
		"$out/train-log.tsv"
}

# picture ALT FILE: the picture, or why it is missing.
picture() {
	if [ -s "$out/$2" ]; then
		printf '![%s](%s)\n' "$1" "$2"
	else
		printf '*The picture %s is missing: %s*\n' "$2" "${plots_failed:-it was not drawn}"
	fi
}
ranked_rows() { awk -F'\t' '{ printf "| %s | %s | %.4f |\n", $2, $5, $4 }' "$1"; }

# report.md: the run's settings, numbers (each with its protocol) and pictures.
report() {
	cat <<-EOF
	# bprtools experiment: the notebook on MovieLens 100k

	Data: \`$data\`. Seed $seed. Made by \`make experiment\` on $(date -u '+%Y-%m-%d %H:%M UTC').

	## Settings

	- Split: GroupLens' ua (each user's first 10 ratings in u.data's order are test; that order is neither by time nor by item), ratings >= 4 are positives.
	  $(sed 's/^ml-split: //' "$out/split.log")
	- Triplets: \`triplet-sample --epochs 30 --neg unseen\`: each epoch a fresh negative, drawn
	  uniformly from the items the user has not liked, for every train positive.
	- Model and training (\`bpr-train\`, defaults):

	\`\`\`
	$(sed -n '/^bpr-train: model/,/^  loss/p' "$out/train.log" | sed 1d)
	\`\`\`

	## Test AUC during training

	AUC is the share of (test positive, other item) pairs a user's ranking orders right, ties
	counting 1/2, averaged over the test users. Two protocols: *notebook*, every id 0..1682 ranked
	and the user's train positives counted as negatives, as the notebook measured it; *clean*, the
	catalogue's items ranked with the train positives left out.

	| epoch | loss | AUC (notebook) | AUC (clean) |
	|---|---|---|---|
	$(curve_rows)

	Measured every epoch (\`bpr-train --eval-every 1 --log\`); the table shows the epochs at which
	the notebook printed its AUC, and the best. The notebook's own run, re-implemented faithfully,
	measured 0.50, 0.904, 0.916 and 0.919 at epochs 0, 10, 20 and 30 under the notebook protocol.

	$(picture 'Learning curve' learning-curve.png)

	## Final metrics

	| protocol | AUC | P@10 | R@10 | NDCG@10 | MRR |
	|---|---|---|---|---|---|
	| notebook | $(metric "$out/auc-notebook.tsv" auc) | $(metric "$out/auc-notebook.tsv" p@10) | $(metric "$out/auc-notebook.tsv" r@10) | $(metric "$out/auc-notebook.tsv" ndcg@10) | $(metric "$out/auc-notebook.tsv" mrr) |
	| clean | $(metric "$out/auc-clean.tsv" auc) | $(metric "$out/auc-clean.tsv" p@10) | $(metric "$out/auc-clean.tsv" r@10) | $(metric "$out/auc-clean.tsv" ndcg@10) | $(metric "$out/auc-clean.tsv" mrr) |

	- notebook: $(protocol "$out/auc-notebook.tsv").
	- clean: $(protocol "$out/auc-clean.tsv").
	- P@10, R@10, NDCG@10 (binary gains) and MRR come from the same rankings, averaged over the same users.

	$(picture 'Per-user AUC' user-auc.png)

	The distribution of the clean protocol's per-user AUC (\`auc --per-user\`); its mean is the
	clean AUC above.

	## The model, queried

	Top 5 for user 600, train positives left out (\`bpr-score --top 5 --user 600 --exclude\`):

	| rank | movie | score |
	|---|---|---|
	$(ranked_rows "$out/top5-user600.tsv")

	Most similar to Alien (1979), item 183, by the cosine of the item vectors
	(\`bpr-score --similar-items 183\`):

	| rank | movie | cosine |
	|---|---|---|
	$(ranked_rows "$out/similar-183.tsv")

	$(picture 'Item map' item-map.png)

	Every item's vector (its own embedding followed by the mean of its genres') projected on
	the first two principal axes of all item vectors (\`bpr-score --map items\`), coloured by its
	main genre (of its genres, the one fewest movies share); each arrow is the direction in which
	a genre moves an item (\`bpr-score --map tags\`), scaled to fit; the labelled movies are the
	ten most liked in train (one whose label would cover another's is left unlabelled); the
	genres whose arrows are too short to name are listed in the title.

	The Embedding Projector files are in [projector/](projector/) (\`bpr-score --projector\`): run
	\`tensorboard --logdir projector\`, or load [items.tsv](projector/items.tsv) and
	[items-meta.tsv](projector/items-meta.tsv) at projector.tensorflow.org
	([projector_config.pbtxt](projector/projector_config.pbtxt) names the users' and genres'
	files too).

	## Stage times (s, wall)

	| stage | seconds |
	|---|---|
	$(awk -F'\t' '{ printf "| %s | %s |\n", $1, $2 }' "$out/timings.tsv")
	EOF
	if [ -n "$plots_failed" ]; then
		printf '\n**The pictures are missing**: %s\n' "$plots_failed"
	fi
}

find_data
mkdir -p "$out"
rm -f "$out/learning-curve.png" "$out/user-auc.png" "$out/item-map.png"
: > "$out/timings.tsv"
stage "split, genres" split_genres
stage train train
stage auc measure
stage score query
plots_failed=""
pictures || plots_failed=$(tail -1 "$out/plots.log")
report > "$out/report.md"
awk -f "$root/pipelines/md2html.awk" "$out/report.md" > "$out/report.html"
cat "$out/report.md"
say
say "experiment: everything is in $out; the report is $out/report.md (pictures: $out/report.html)"
if [ -n "$plots_failed" ]; then
	printf 'experiment: the pictures could not be drawn: %s\n' "$plots_failed" >&2
	exit 1
fi
