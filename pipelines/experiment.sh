#!/usr/bin/env bash
# make experiment: the notebook's run on MovieLens 100k, by our six tools.
#
#   ML100K   ml-100k directory or ml-100k.zip; else ./data/ml-100k,
#            ../shared/data/ml-100k, or a download from GroupLens
#   OUT      where everything goes (default: experiment/)
#   SEED     (default 1)
#   VALGRIND a command to run every tool under (make valgrind)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin
out=${OUT:-$root/experiment}
seed=${SEED:-1}
grouplens=https://files.grouplens.org/datasets/movielens/ml-100k.zip
md5=0e33842e24a9c977be4e0107933c0723	# GroupLens' published checksum

say() { printf '%s\n' "$*"; }

# tool NAME ARGS...: one of ours, under $VALGRIND when set (make valgrind).
tool() {
	local name=$1
	shift
	${VALGRIND:-} "$bin/$name" "$@"
}
die() { printf 'experiment: %s\n' "$*" >&2; exit 1; }

# The ratings and catalogue paths of an ml-100k directory or zip.
use_data() {
	if [ -d "$1" ] && [ -f "$1/u.data" ] && [ -f "$1/u.item" ]; then
		ratings=$1/u.data
		items=$1/u.item
	elif [ -f "$1" ] && [ "$(head -c 2 "$1")" = PK ]; then
		ratings=$1
		items=$1
	else
		return 1
	fi
	data=$1
}

download() {
	local zip=$root/data/ml-100k.zip
	command -v curl >/dev/null || die "no ml-100k found and curl is missing: set ML100K=path/to/ml-100k"
	mkdir -p "$root/data"
	say "experiment: downloading $grouplens"
	curl -fsSL --retry 2 -o "$zip.part" "$grouplens" ||
		die "cannot download $grouplens (offline?): set ML100K=path/to/ml-100k"
	[ "$(md5sum < "$zip.part" | cut -d' ' -f1)" = "$md5" ] || { rm -f "$zip.part"; die "$grouplens: checksum mismatch"; }
	mv "$zip.part" "$zip"
	use_data "$zip"
}

find_data() {
	if [ -n "${ML100K:-}" ]; then
		use_data "$ML100K" || die "ML100K=$ML100K is neither an ml-100k directory nor ml-100k.zip"
		return
	fi
	use_data "$root/data/ml-100k" || use_data "$root/data/ml-100k.zip" ||
		use_data "$root/../shared/data/ml-100k" || download
}

# stage NAME COMMAND...: run it, and keep its wall time for the report.
stage() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	"$@"
	t1=$(date +%s.%N)
	printf '%s\t%.3f\n' "$name" "$(echo "$t1 - $t0" | bc)" >> "$out/timings.tsv"
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
		--eval "$out/test.tsv" --eval-every 10 -o "$out/model.bpr" - 2> "$out/train.log"
}

measure() {
	tool auc -m "$out/model.bpr" --compat notebook --items "$out/titles.tsv" -k 10 \
		"$out/test.tsv" > "$out/auc-notebook.tsv"
	tool auc -m "$out/model.bpr" --exclude "$out/train.tsv" --items "$out/titles.tsv" -k 10 \
		"$out/test.tsv" > "$out/auc-clean.tsv"
}

query() {
	tool bpr-score -m "$out/model.bpr" --top 5 --user 600 --exclude "$out/train.tsv" \
		--titles "$out/titles.tsv" > "$out/top5-user600.tsv"
	tool bpr-score -m "$out/model.bpr" --similar-items 183 --top 10 \
		--titles "$out/titles.tsv" > "$out/similar-183.tsv"
}

metric() { awk -F'\t' -v m="$2" '$1 == m { print $2 }' "$1"; }

report() {
	say "== bprtools experiment: the notebook on MovieLens 100k (data: $data) =="
	say "split: ua (GroupLens allbut 1:10), ratings >= 4 are positives"
	sed 's/^ml-split: /  /' "$out/split.log"
	say
	sed -n '/^bpr-train: model/,/^  loss/p' "$out/train.log"
	say
	say "AUC during training (protocol: every id 0..max ranked, train positives counted as negatives)"
	grep -o 'epoch [0-9/]*[^,]*, auc [0-9.]*' "$out/train.log" | sed 's/^/  /'
	say
	say "final metrics"
	say "  notebook protocol: $(sed -n 's/^# //p' "$out/auc-notebook.tsv" | cut -d';' -f2-)"
	say "    auc $(metric "$out/auc-notebook.tsv" auc)  p@10 $(metric "$out/auc-notebook.tsv" p@10)"
	say "  train excluded:    $(sed -n 's/^# //p' "$out/auc-clean.tsv" | cut -d';' -f2-)"
	say "    auc $(metric "$out/auc-clean.tsv" auc)  p@10 $(metric "$out/auc-clean.tsv" p@10)  ndcg@10 $(metric "$out/auc-clean.tsv" ndcg@10)"
	say
	say "top 5 for user 600 (train positives left out)"
	cut -f2- "$out/top5-user600.tsv" | sed 's/^/  /'
	say
	say "most similar to Alien (1979), item 183 (cosine)"
	cut -f2- "$out/similar-183.tsv" | sed 's/^/  /'
	say
	say "stage times (s)"
	sed 's/^/  /' "$out/timings.tsv"
}

find_data
mkdir -p "$out"
: > "$out/timings.tsv"
stage split split
stage genres genres
stage train train
stage auc measure
stage score query
report | tee "$out/report.txt"
say "experiment: everything is in $out"
