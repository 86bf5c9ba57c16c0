#!/usr/bin/env bash
# Time to quality (make bench): how soon each setting's model is good, on
# data with real structure. ml-synth --planted makes an ml-25m-sized set
# whose users choose by 32 planted topics; ml-split keeps ratings >= 4
# and holds out a fifth at random. Each setting trains 30 epochs at dim 64
# on 2 threads with an evaluation after every epoch on a sixteenth of the
# test users (ids = 1 mod 16), whose time --log's wall column leaves out,
# so that wall is what a user waits: loading included.
#
#   ttq.sh DIR RUNS
#
#   TTQ_THRESHOLDS  the clean AUCs whose seconds the table gives (default
#                   0.85 0.88 0.90 0.905)
#   TTQ_TABLE_ONLY  set: make the table and picture again from DIR's logs
#
# Writes DIR/ttq-SETTING-RUN.log (bpr-train --log), DIR/ttq.tsv (the
# table, printed at the end) and DIR/ttq.png (clean AUC and P@10 against
# wall seconds, every run, from epoch 1), when gnuplot is there.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin
dir=$1
runs=$2
mkdir -p "$dir"
cd "$dir"

if [ ! -s train.tsv ] || [ ! -s eval.tsv ]; then
	echo "bench: generating the planted ml-25m-sized set in $dir" >&2
	"$root/build/ml-synth" --planted .
	"$bin/ml-split" -q --scheme random --test-fraction 0.2 --min-rating 4 --seed 1 \
		-o train.tsv -t test.tsv ratings.csv
	awk -F'\t' '$1 % 16 == 1' test.tsv > eval.tsv
fi

# name<TAB>flags: the defaults and the settings a user would reach for
settings="defaults	
adagrad	--optimizer adagrad
hard 1	--hard 1
sgd	--optimizer sgd
Keras adam	--optimizer adam"

# quality a setting reaches: the thresholds of the table, in clean AUC
thresholds=${TTQ_THRESHOLDS:-0.85 0.88 0.90 0.905}

[ -n "${TTQ_TABLE_ONLY:-}" ] || echo "$settings" | while IFS="$(printf '\t')" read -r name flags; do
	tag=$(echo "$name" | tr ' ' '-')
	for i in $(seq "$runs"); do
		# shellcheck disable=SC2086 # flags are words
		"$bin/bpr-train" -q --train train.tsv --item-dim 64 --tag-dim 0 --threads 2 --epochs 30 \
			$flags --eval eval.tsv --log "ttq-$tag-$i.log" -o ttq.bpr 2>/dev/null ||
			{ echo "bench: bpr-train $flags failed" >&2; exit 1; }
		echo "bench: time to quality: $name, run $i: $(awk -F'\t' 'END { printf "clean auc %s at %.1f s", $4, $8 }' "ttq-$tag-$i.log")" >&2
	done
done

# spread FORMAT VALUES...: "median (min-max)", or "-" when none
spread() {
	local fmt=$1
	shift
	printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk -v f="$fmt" '{ v[NR] = $1 }
		END { if (NR == 0) { print "-"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			if (sprintf(f, v[1]) == sprintf(f, v[NR])) printf f, m
			else printf f " (" f "-" f ")", m, v[1], v[NR] }'
}

# reach LOG AUC: wall seconds at the first evaluation with clean AUC >= AUC, or -
reach() {
	awk -F'\t' -v a="$2" 'NR > 1 && $4 != "" && $4 >= a { print $8; found = 1; exit }
		END { if (!found) print "-" }' "$1"
}

# format COLUMN: how a log column is shown (seconds whole, epochs whole, measures to 4 places)
format() {
	case $1 in 8) echo '%.0f' ;; 1) echo '%d' ;; *) echo '%.4f' ;; esac
}

{
	printf 'setting'
	for a in $thresholds; do printf '\tseconds to clean AUC %s' "$a"; done
	printf '\tbest clean AUC\tits P@10\tits epoch\tits seconds\tclean AUC after 30\tP@10 after 30\tseconds for 30\n'
	echo "$settings" | while IFS="$(printf '\t')" read -r name flags; do
		tag=$(echo "$name" | tr ' ' '-')
		printf '%s' "$name"
		for a in $thresholds; do
			# shellcheck disable=SC2046 # one value a run
			printf '\t%s' "$(spread %.0f $(for i in $(seq "$runs"); do reach "ttq-$tag-$i.log" "$a"; done))"
		done
		# the best clean AUC's row, then the last row, per run
		for col in 4 7 1 8; do
			# shellcheck disable=SC2046 # one value a run
			printf '\t%s' "$(spread "$(format "$col")" $(for i in $(seq "$runs"); do
				awk -F'\t' -v c="$col" 'NR > 2 && $4 != "" && $4 > b { b = $4; v = $c }
					END { print v }' "ttq-$tag-$i.log"; done))"
		done
		for col in 4 7 8; do
			# shellcheck disable=SC2046
			printf '\t%s' "$(spread "$(format "$col")" $(for i in $(seq "$runs"); do
				awk -F'\t' -v c="$col" 'END { print $c }' "ttq-$tag-$i.log"; done))"
		done
		printf '\n'
	done
} > ttq.tsv

echo
echo "Time to quality: planted ml-25m-sized set ($(wc -l < train.tsv | tr -d ' ') train positives), dim 64, 2 threads,"
echo "30 epochs; clean AUC and P@10 on the $(cut -f1 eval.tsv | sort -u | wc -l | tr -d ' ') test users of ids 1 mod 16;"
echo "seconds since the start, loading in, evaluations out; median (min-max) of $runs runs"
column -t -s "$(printf '\t')" ttq.tsv

if ! command -v gnuplot >/dev/null; then
	echo "bench: no gnuplot: ttq.png is not drawn" >&2
	exit 0
fi
plots=""
colours="#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e"
k=0
while IFS="$(printf '\t')" read -r name flags; do
	k=$((k + 1))
	tag=$(echo "$name" | tr ' ' '-')
	# the palette again from its start if settings outnumber it
	colour=$(echo "$colours" | cut -d' ' -f"$(( (k - 1) % $(echo "$colours" | wc -w) + 1 ))")
	for i in $(seq "$runs"); do
		title=$([ "$i" = 1 ] && echo "title '$name'" || echo "notitle")
		plots="$plots${plots:+, }'ttq-$tag-$i.log' using 8:COL every ::2 with lines lw 2 lc rgb '$colour' $title"
	done
done <<-EOF
$settings
EOF
gnuplot <<-EOF
	set terminal pngcairo size 1280,560 font 'sans,12'
	set output 'ttq.png'
	set datafile separator '\t'
	set datafile missing ''
	set termoption noenhanced
	set multiplot layout 1,2 title 'Time to quality: planted ml-25m-sized set, dim 64, 2 threads (every run)'
	set xlabel 'wall seconds (loading in, evaluations out)'
	set grid
	set key bottom right
	set ylabel 'clean AUC'
	plot ${plots//COL/4}
	set ylabel 'clean P@10'
	plot ${plots//COL/7}
	unset multiplot
EOF
echo "bench: wrote $dir/ttq.png" >&2
