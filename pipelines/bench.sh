#!/usr/bin/env bash
# make bench: time every stage on a synthetic data set shaped like
# ml-25m (made by our own seeded generator) and on ml-100k, and print one
# table: stage, input, median wall seconds, throughput, peak RSS.
#
#   BENCH_DIR  where the synthetic data and results go (default build/bench)
#   RUNS       timed runs per stage, after one warm-up (default 3)
#   ML100K     ml-100k directory (default ../shared/data/ml-100k)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin
dir=${BENCH_DIR:-$root/build/bench}
runs=${RUNS:-3}
ml100k=${ML100K:-$root/../shared/data/ml-100k}
results=$dir/results.tsv

for tool in hyperfine /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is needed (Debian: apt-get install hyperfine time)" >&2; exit 1; }
done
mkdir -p "$dir"
cd "$dir"

if [ ! -s ratings.csv ] || [ ! -s movies.csv ]; then
	echo "bench: generating the synthetic ml-25m-shaped set in $dir" >&2
	"$root/build/ml-synth" .
fi
printf 'stage\tinput\tseconds\tthroughput\tpeak_rss\n' > "$results"

# measure STAGE INPUT COUNT UNIT COMMAND: median wall time of $runs runs,
# COUNT UNITs per second, and the peak RSS of one more run.
measure() {
	local stage=$1 input=$2 count=$3 unit=$4 cmd=$5 median rss rate
	hyperfine --style none --warmup 1 --runs "$runs" --export-csv hf.csv -- "$cmd" >/dev/null 2>&1 ||
		{ echo "bench: failed: $cmd" >&2; exit 1; }
	median=$(awk -F, 'NR == 2 { printf "%.3f", $4 }' hf.csv)
	/usr/bin/time -f '%M' -o rss.txt bash -c "$cmd >/dev/null 2>&1"
	rss=$(tail -1 rss.txt)
	rate=$(awk -v n="$count" -v s="$median" -v u="$unit" 'BEGIN {
		r = n / s; printf (r >= 1e6 ? "%.1f M %s/s" : "%.0f %s/s"), (r >= 1e6 ? r / 1e6 : r), u }')
	printf '%s\t%s\t%s\t%s\t%s MiB\n' "$stage" "$input" "$median" "$rate" "$(( rss / 1024 ))" >> "$results"
	echo "bench: $stage: ${median}s" >&2
}

lines() { wc -l < "$1" | tr -d ' '; }

# --- the synthetic ml-25m-shaped set ---
rows=$(( $(lines ratings.csv) - 1 ))
measure "ml-split random 0.2" "syn ratings.csv, $rows rows" "$rows" rows \
	"$bin/ml-split -q --scheme random --test-fraction 0.2 -o train.tsv -t test.tsv ratings.csv"
measure "ml-genres" "syn movies.csv, $(( $(lines movies.csv) - 1 )) movies" "$(( $(lines movies.csv) - 1 ))" items \
	"$bin/ml-genres -q -o item-tags.tsv movies.csv"
pos=$(lines train.tsv)
measure "triplet-sample unseen x10" "syn train, $pos positives" "$(( pos * 10 ))" triplets \
	"$bin/triplet-sample -q --epochs 10 --neg unseen -o /dev/null train.tsv"
measure "triplet-sample uniform x10" "syn train, $pos positives" "$(( pos * 10 ))" triplets \
	"$bin/triplet-sample -q --epochs 10 --neg uniform -o /dev/null train.tsv"

echo
column -t -s "$(printf '\t')" "$results"
