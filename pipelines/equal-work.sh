#!/usr/bin/env bash
# Equal work at the wall (make bench): bpr-train --hard 1 --optimizer sgd
# --no-bias at dim 64 on 2 threads, run for 1 epoch and for 5, alternating,
# ROUNDS times each. What users wait for is the wall clock, so the wall rate
# is what the four added epochs cost in all:
#
#   wall rate      = 4 x positives / (median wall of 5 epochs - median of 1)
#   per-epoch rate = positives / median of bpr-train's own seconds for
#                    epochs 2-5 (its --log, drawing included)
#
# Medians, because loading the same file on a virtual machine varies by a
# tenth of a second from run to run, a tenth of four epochs on 5 M positives;
# the per-round ratios are printed beside them, smallest to largest.
#
# usage: equal-work.sh BIN TRAIN.tsv ROUNDS LABEL   (one tab-separated line out)
set -eu

bin=$1 train=$2 rounds=$3 label=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pos=$(wc -l < "$train" | tr -d ' ')
flags=(-q --train "$train" --hard 1 --optimizer sgd --no-bias --item-dim 64 --tag-dim 0 --threads 2)

# wall EPOCHS: run once, print its wall seconds; the log stays in $tmp/log.tsv
wall() {
	local t0 t1
	t0=$(date +%s.%N)
	"$bin/bpr-train" "${flags[@]}" --epochs "$1" --log "$tmp/log.tsv" -o "$tmp/model.bpr" 2>/dev/null ||
		{ echo "equal-work: bpr-train failed on $train" >&2; exit 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

: > "$tmp/rounds.txt"
for r in $(seq "$rounds"); do
	w1=$(wall 1)
	w5=$(wall 5)
	kernel=$(awk -F'\t' 'NR > 1 && $1 > 1 { s += $6; n++ } END { printf "%.4f", s / n }' "$tmp/log.tsv")
	echo "$w1 $w5 $kernel" >> "$tmp/rounds.txt"
	echo "equal-work: $label round $r: 1 epoch ${w1}s, 5 epochs ${w5}s, ${kernel}s an epoch" >&2
done

awk -v pos="$pos" -v label="$label" '
	function sort_values(v, n,   i, j, t) {	# ascending, in place (mawk has no asort)
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	}
	function median(v, n) {
		sort_values(v, n)
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{ w1[NR] = $1; w5[NR] = $2; k[NR] = $3; ratio[NR] = ($3 * 4) / ($2 - $1) }
	END {
		m1 = median(w1, NR); m5 = median(w5, NR); mk = median(k, NR)
		wall = 4 * pos / (m5 - m1) / 1e6; kern = pos / mk / 1e6
		sort_values(ratio, NR)
		printf "%s\t%d\t%.1f M/s\t%.1f M/s\t%.2f\t%.2f-%.2f\t%.2f s, %.2f s\n",
		    label, pos, wall, kern, wall / kern, ratio[1], ratio[NR], m1, m5
	}' "$tmp/rounds.txt"
