#!/usr/bin/env bash
# make bench: time every stage on a synthetic data set shaped like
# ml-25m (made by our own seeded generator) and on ml-100k, and print one
# table: stage, input, median wall seconds, throughput, peak RSS; then
# time to quality on a planted set (pipelines/ttq.sh): a table and
# BENCH_DIR/planted/ttq.png.
#
#   BENCH_DIR  where the synthetic data and results go (default build/bench)
#   RUNS       timed runs per stage, after one warm-up (default 3)
#   TTQ_RUNS   runs of each setting in the time-to-quality table (default
#              RUNS; 0 skips it: about 10 minutes a run)
#   EQ_ROUNDS  rounds of the equal-work table (default 7; 0 skips it)
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

# measure_epochs STAGE INPUT TRIPLETS COMMAND: bpr-train's own per-epoch
# seconds (its --log, loading excluded), median over 3 epochs of each of
# $runs runs; the wall time and peak RSS of the whole run beside them.
measure_epochs() {
	local stage=$1 input=$2 count=$3 cmd=$4 i median rss rate wall
	: > epochs.txt
	for i in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o run.txt bash -c "$cmd --epochs 3 --log log.tsv >/dev/null 2>&1" ||
			{ echo "bench: failed: $cmd" >&2; exit 1; }
		awk -F'\t' 'NR > 1 && $1 > 0 { print $6 }' log.tsv >> epochs.txt
		tail -1 run.txt >> walls.txt
	done
	median=$(sort -g epochs.txt | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }')
	rss=$(sort -k2,2g walls.txt | tail -1 | cut -d' ' -f2)
	wall=$(sort -g walls.txt | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] }')
	rm -f walls.txt
	rate=$(awk -v n="$count" -v s="$median" 'BEGIN { printf "%.1f M triplets/s", n / s / 1e6 }')
	printf '%s\t%s\t%s /epoch (3 epochs: %s)\t%s\t%s MiB\n' "$stage" "$input" "$median" "$wall" "$rate" \
		"$(( rss / 1024 ))" >> "$results"
	echo "bench: $stage: ${median}s an epoch" >&2
}

# measure_once STAGE INPUT COUNT UNIT COMMAND: one run's wall time and
# peak RSS, for the stages that take minutes.
measure_once() {
	local stage=$1 input=$2 count=$3 unit=$4 cmd=$5 wall rss
	/usr/bin/time -f '%e %M' -o run.txt bash -c "$cmd > /dev/null 2>&1" ||
		{ echo "bench: failed: $cmd" >&2; exit 1; }
	read -r wall rss < run.txt
	printf '%s\t%s\t%s (1 run)\t%s\t%s MiB\n' "$stage" "$input" "$wall" \
		"$(awk -v n="$count" -v s="$wall" -v u="$unit" 'BEGIN { printf "%.0f %s/s", n / s, u }')" \
		"$(( rss / 1024 ))" >> "$results"
	echo "bench: $stage: ${wall}s" >&2
}

train_flags="-q --train train.tsv --item-dim 64 --tag-dim 0 --threads 2 -o model.bpr"
measure_epochs "bpr-train default, dim 64, 2 threads" "syn train, $pos positives" "$pos" \
	"$bin/bpr-train $train_flags"
measure_epochs "bpr-train adam (Keras), dim 64, 2 threads" "syn train, $pos positives" "$pos" \
	"$bin/bpr-train $train_flags --optimizer adam"
measure_once "als-train 10 sweeps, dim 64, CG 3 steps, 2 threads" "syn train, $pos positives" "$(( pos * 10 ))" \
	"positive-sweeps" "$bin/als-train -q --train train.tsv --dim 64 --sweeps 10 --cg-steps 3 --threads 2 -o als.bpr"
"$bin/bpr-train" $train_flags --epochs 1 2>/dev/null
users=$(cut -f1 train.tsv | sort -u | wc -l)
items=$(( $(lines movies.csv) - 1 ))

# Scoring against the machine's limit: auc and bpr-score --top 10 over all
# users, and in the same round gemm-bench, the same product by the best
# sgemm installed (OpenBLAS) and by our kernel alone. $runs rounds; each
# tool's time as a ratio to that round's sgemm, the median and the range.
: > scoring.txt
for i in $(seq "$runs"); do
	/usr/bin/time -f '%e %M' -o auc.time "$bin/auc" -m model.bpr --threads 2 --exclude train.tsv test.tsv \
		> /dev/null 2>&1 || { echo "bench: auc failed" >&2; exit 1; }
	/usr/bin/time -f '%e %M' -o top.time "$bin/bpr-score" -m model.bpr --threads 2 --top 10 --all-users \
		--exclude train.tsv > /dev/null 2>&1 || { echo "bench: bpr-score failed" >&2; exit 1; }
	"$root/build/gemm-bench" "$users" "$items" 64 2 > gemm.txt
	printf '%s %s %s %s\n' "$(cut -d' ' -f1 auc.time)" "$(cut -d' ' -f1 top.time)" \
		"$(awk -F'\t' '$1 == "sgemm" { print $3 }' gemm.txt)" \
		"$(awk -F'\t' '$1 == "kernel" { print $3 }' gemm.txt)" >> scoring.txt
	echo "bench: scoring round $i: $(tail -1 scoring.txt) (auc, top-10, sgemm, kernel seconds)" >&2
done
sgemm_lib=$(awk -F'\t' '$1 == "sgemm" { print $2 }' gemm.txt)
# spread COLUMN [DIVIDE-BY-COLUMN]: "median (min-max)" over the rounds
spread() {
	awk -v c="$1" -v d="${2:-0}" '{ v = $c; if (d) { if ($d == "-") { print "-"; next } v = $c / $d } print v }' \
		scoring.txt | sort -g | awk '{ v[NR] = $1 } END {
			if (v[1] == "-") { print "-"; exit }
			printf "%.2f (%.2f-%.2f)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
shape="$users users x $items items, dim 64, 2 threads"
printf '%s\t%s\t%s s\t%s\t%s\n' "sgemm ($sgemm_lib), blocks of 2048 users" "$shape" "$(spread 3)" \
	"the limit" "-" >> "$results"
printf '%s\t%s\t%s s\t%s x sgemm\t%s\n' "scoring kernel alone (gemm-bench)" "$shape" "$(spread 4)" \
	"$(spread 4 3)" "-" >> "$results"
printf '%s\t%s\t%s s\t%s x sgemm\t%s MiB\n' "auc --exclude, all users" "$shape" "$(spread 1)" \
	"$(spread 1 3)" "$(( $(cut -d' ' -f2 auc.time) / 1024 ))" >> "$results"
printf '%s\t%s\t%s s\t%s x sgemm\t%s MiB\n' "bpr-score --top 10, all users" "$shape" "$(spread 2)" \
	"$(spread 2 3)" "$(( $(cut -d' ' -f2 top.time) / 1024 ))" >> "$results"

# The whole synthetic pipeline once, as a user would run it.
pipeline="$bin/ml-split -q --scheme random --test-fraction 0.2 -o p-train.tsv -t p-test.tsv ratings.csv &&
	$bin/triplet-sample -q --epochs 10 p-train.tsv |
	$bin/bpr-train -q --item-dim 64 --tag-dim 0 --threads 2 -o p-model.bpr - &&
	$bin/auc -m p-model.bpr --threads 2 --exclude p-train.tsv p-test.tsv"
measure_once "pipeline: split, sample x10 | train, auc" "syn ratings.csv, $rows rows" "$rows" rows \
	"$pipeline"

# --- ml-100k: the stages of make experiment (plots and report excluded) ---
if [ -f "$ml100k/u.data" ] && [ -f "$ml100k/u.item" ]; then
	# make experiment's commands, side by side where it runs them so
	cat > e-run.sh <<-EOF
	set -e
	$bin/ml-genres -q --titles e-titles.tsv -o e-tags.tsv $ml100k/u.item & genres=\$!
	$bin/ml-split -q --scheme allbut --test-range 1:10 --min-rating 4 -o e-train.tsv \\
		-t e-test.tsv $ml100k/u.data
	wait \$genres
	$bin/triplet-sample -q --epochs 30 --seed 1 --neg unseen --items e-tags.tsv e-train.tsv |
		$bin/bpr-train -q --seed 1 --item-tags e-tags.tsv --eval e-test.tsv --eval-every 1 \\
		-o e-model.bpr -
	$bin/auc -m e-model.bpr --compat notebook --items e-titles.tsv -k 10 e-test.tsv &
	nb=\$!
	$bin/auc -m e-model.bpr --exclude e-train.tsv --items e-titles.tsv -k 10 e-test.tsv
	wait \$nb
	$bin/bpr-score -m e-model.bpr --top 5 --user 600 --exclude e-train.tsv \\
		--titles e-titles.tsv & top=\$!
	$bin/bpr-score -m e-model.bpr --similar-items 183 --top 10 --titles e-titles.tsv
	wait \$top
	EOF
	ratings100k=$(lines "$ml100k/u.data")
	measure "ml-100k experiment stages" "u.data, $ratings100k rows; 30 epochs, 31 evaluations" \
		"$ratings100k" rows "bash e-run.sh"
else
	echo "bench: no ml-100k at $ml100k: its row is skipped" >&2
fi

echo
column -t -s "$(printf '\t')" "$results"

# --- equal work at the wall: 5 M positives (a smaller set of the same
# shape, made here) and this set's 20 M (pipelines/equal-work.sh) ---
if [ "${EQ_ROUNDS:-7}" -gt 0 ]; then
	mkdir -p equal-5m
	if [ ! -s equal-5m/train.tsv ]; then
		"$root/build/ml-synth" -r 6250000 equal-5m
		"$bin/ml-split" -q --scheme random --test-fraction 0.2 -o equal-5m/train.tsv \
			-t equal-5m/test.tsv equal-5m/ratings.csv
	fi
	{
		printf 'set\tpositives\twall rate\tper-epoch rate\tratio of medians\tratio a round\tmedian wall, 1 and 5 epochs\n'
		"$root/pipelines/equal-work.sh" "$bin" equal-5m/train.tsv "${EQ_ROUNDS:-7}" "5 M"
		"$root/pipelines/equal-work.sh" "$bin" train.tsv "${EQ_ROUNDS:-7}" "20 M"
	} > equal-work.tsv
	echo
	echo "equal work: --hard 1 --optimizer sgd --no-bias, dim 64, 2 threads; 5 epochs less 1 by the wall"
	column -t -s "$(printf '\t')" equal-work.tsv
fi

# --- time to quality: clean AUC and P@10 against wall seconds, planted set ---
if [ "${TTQ_RUNS:-$runs}" -gt 0 ]; then
	"$root/pipelines/ttq.sh" "$dir/planted" "${TTQ_RUNS:-$runs}"
fi
