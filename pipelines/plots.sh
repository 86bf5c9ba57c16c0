#!/usr/bin/env bash
# plots.sh [-n] [-c caption] DIR: draw an experiment's pictures with
# gnuplot (pngcairo). -n marks the notebook's reference AUCs on the
# learning curve (they belong to ml-100k's ua split only); -c names the
# data in the learning curve's title.
#
# Reads, in DIR:
#   train-log.tsv    bpr-train --log
#   user-auc.tsv     auc --per-user
#   map-items.tsv    bpr-score --map items (with --titles and --vocab)
#   map-tags.tsv     bpr-score --map tags
#   train.tsv        the train positives (the most liked items are labelled)
# Writes DIR/learning-curve.png, DIR/user-auc.png and DIR/item-map.png.
# Exits 1, saying why, when gnuplot (or its pngcairo terminal) is missing.
#
#   GNUPLOT  the gnuplot to run (default: gnuplot from PATH)
set -eu

die() { printf 'plots: %s\n' "$*" >&2; exit 1; }
usage() { printf 'usage: plots.sh [-n] [-c caption] DIR\n' >&2; exit 2; }

reference=0
caption=""
while getopts nc: opt; do
	case $opt in
	n) reference=1 ;;
	c) caption=" ($OPTARG)" ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
dir=$1

gnuplot=${GNUPLOT:-gnuplot}
command -v "$gnuplot" >/dev/null ||
	die "$gnuplot is not installed, so no pictures were drawn (Debian: apt-get install gnuplot-nox)"
"$gnuplot" -e 'set terminal pngcairo' 2>/dev/null ||
	die "this gnuplot has no pngcairo terminal, so no pictures were drawn (Debian: gnuplot-nox)"
for f in train-log.tsv user-auc.tsv map-items.tsv map-tags.tsv train.tsv; do
	[ -s "$dir/$f" ] || die "$dir/$f is missing or empty"
done

# What a faithful re-implementation of the notebook measured: test AUC,
# every id ranked and train positives counted, at epochs 0, 10, 20, 30.
notebook_reference=$(printf '%s\t%s\n' 0 0.50 10 0.904 20 0.916 30 0.919)
reference_plot=', $reference using 1:($1 > 0 ? $2 : NaN) with points pt 6 ps 2.2 lw 2 lc rgb "black" title "the notebook re-implemented (epochs 10, 20, 30)"'
# Ten colours that stay apart on white, each with two marks: twenty genres.
colours='#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #555555 #a0a000 #17becf'
marks='7 5'

# The AUC panel's range: epochs 1 on, where the story is (epoch 0 is
# chance), and the notebook's reference points when they are drawn.
auc_range() {
	{ awk -F'\t' 'NR > 1 && $1 > 0 && $3 != "" { print $3; print $4 }' "$dir/train-log.tsv"
	  [ "$reference" = 0 ] || printf '%s\n' "$notebook_reference" | awk -F'\t' '$1 > 0 { print $2 }'
	} | awk '{ if (lo == "" || $1 < lo) lo = $1; if (hi == "" || $1 > hi) hi = $1 }
		END { m = (hi - lo) * 0.12 + 0.002; printf "%.4f:%.4f", lo - m, hi + m }'
}

# The epoch of the best clean AUC, and its value.
best_epoch() {
	awk -F'\t' 'NR > 1 && $4 != "" && $1 > 0 && (b == "" || $4 > b) { b = $4; e = $1 }
		END { print e "\t" b }' "$dir/train-log.tsv"
}

learning_curve() {
	local range best epoch0 last side
	range=$(auc_range)
	best=$(best_epoch)
	last=$(awk -F'\t' 'NR > 1 { e = $1 } END { print e }' "$dir/train-log.tsv")
	side=$(awk -v b="${best%%	*}" -v l="$last" 'BEGIN { print (b > l / 2 ? "right offset char -0.5,0" : "left offset char 0.5,0") }')
	epoch0=$(awk -F'\t' 'NR > 1 && $1 == 0 && $3 != "" { printf "%.3f (notebook protocol), %.3f (clean)", $3, $4 }' \
		"$dir/train-log.tsv")
	"$gnuplot" <<-EOF
	set terminal pngcairo size 1280,1000 font 'sans,11'
	set output '$dir/learning-curve.png'
	set datafile separator '\t'
	set key autotitle columnhead
	\$reference << EOD
	$notebook_reference
	EOD
	set multiplot title "Learning curve$caption"
	set grid
	set xrange [0.5:$last + 0.5]
	set xlabel 'epoch'
	set size 1, 0.36
	set origin 0, 0.60
	set ylabel 'mean loss per triplet'
	plot '$dir/train-log.tsv' using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#555555' title 'train loss'
	set size 1, 0.60
	set origin 0, 0
	set ylabel 'test AUC'
	set yrange [$range]
	set key below
	set arrow from ${best%%	*}, graph 0 to ${best%%	*}, graph 1 nohead dt 3 lw 1.5 lc rgb '#2ca02c'
	set label 1 sprintf("best clean AUC %.4f, epoch %d", ${best#*	}, ${best%%	*}) \
		at ${best%%	*}, graph 0.95 $side tc rgb '#2ca02c'
	set label 2 "before training (epoch 0): ${epoch0:-not measured}" at graph 0.01, graph 0.04
	plot '$dir/train-log.tsv' using 1:3 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' \
		title 'AUC, every id ranked, train counted (the notebook protocol)', \
	     '' using 1:4 with linespoints pt 5 ps 0.7 lw 2 lc rgb '#2ca02c' title 'AUC, train left out (clean)', \
	     '' using 1:((int(\$1) % 10 == 0 && \$1 > 0) ? \$3 : NaN) with points pt 7 ps 1.8 lc rgb '#1f77b4' \
		title 'epochs 10, 20, 30: where the notebook printed its AUC' $([ $reference = 0 ] || echo "$reference_plot")
	unset multiplot
	EOF
}

user_auc() {
	"$gnuplot" <<-EOF
	set terminal pngcairo size 1280,700 font 'sans,11'
	set output '$dir/user-auc.png'
	set datafile separator '\t'
	stats '$dir/user-auc.tsv' using 2 nooutput
	width = 0.02
	# bins [k w, (k+1) w); AUC 1 belongs to the last, not past the axis
	bin(x) = x >= 1 ? 1 - width / 2 : width * floor(x / width) + width / 2
	set boxwidth width absolute
	set title sprintf('Per-user test AUC (train positives left out): %d users', STATS_records)
	set xlabel 'AUC of one user'
	set ylabel 'users'
	set xrange [0:1]
	set xtics 0.1
	set style fill solid 0.7 border -1
	set grid ytics
	set key top left box opaque
	set arrow 1 from STATS_mean, graph 0 to STATS_mean, graph 1 nohead lw 2 dt 2 lc rgb 'black'
	set arrow 2 from STATS_median, graph 0 to STATS_median, graph 1 nohead lw 2 dt 3 lc rgb '#d62728'
	# the counts per bin, so that the sparse low bins can carry their number
	set table \$bins
	plot '$dir/user-auc.tsv' using (bin(\$2)):(1) smooth frequency
	unset table
	set datafile separator whitespace
	plot \$bins using 1:2 with boxes lc rgb '#1f77b4' title sprintf('users per %.2f of AUC', width), \
	     \$bins using 1:(\$2 > 0 && \$2 < 10 ? \$2 : NaN):(sprintf('%d', \$2)) with labels offset char 0,0.7 \
		notitle, \
	     NaN with lines lw 2 dt 2 lc rgb 'black' title sprintf('mean %.4f', STATS_mean), \
	     NaN with lines lw 2 dt 3 lc rgb '#d62728' title sprintf('median %.4f', STATS_median)
	EOF
}

# The most liked items in train: id<TAB>count, at most 10.
most_liked() {
	awk -F'\t' '!/^#/ && NF >= 2 { n[$2]++ } END { for (i in n) print i "\t" n[i] }' "$dir/train.tsv" |
		sort -t"$(printf '\t')" -k2,2nr -k1,1n | head -10
}

# Item labels that do not overlap: each tries above, below, right and left
# of its point, in an approximate pixel space of the plot, and takes the
# first place free of the labels before it (or is left out).
place_labels() {
	awk -F'\t' -v W=1000 -v H=820 '
		NR == FNR { if ($2 < x0 || x0 == "") x0 = $2; if ($2 > x1 || x1 == "") x1 = $2
			if ($3 < y0 || y0 == "") y0 = $3; if ($3 > y1 || y1 == "") y1 = $3; next }
		{ px[FNR] = ($1 - x0) / (x1 - x0) * W; py[FNR] = ($2 - y0) / (y1 - y0) * H
		  x[FNR] = $1; y[FNR] = $2; t[FNR] = $3; m = FNR; next }
		END { for (i = 1; i <= m; i++) place(i) }
		# the labelled points are obstacles too (a 10-pixel box each)
		function place(i,    w, h, k, dx, dy, cx, cy, ok, j) {
		  w = length(t[i]) * 7 + 6; h = 16
		  split("0 14 0 -14 1 0 -1 0", d, " ")
		  for (k = 0; k < 4; k++) {
			dx = d[2 * k + 1]; dy = d[2 * k + 2]
			cx = px[i] + (dx > 0 ? w / 2 + 8 : dx < 0 ? -w / 2 - 8 : 0); cy = py[i] + dy
			ok = 1
			for (j = 1; j <= n; j++)
				if (abs(cx - bx[j]) < (w + bw[j]) / 2 && abs(cy - by[j]) < (h + bh[j]) / 2) ok = 0
			for (j = 1; j <= m; j++)
				if (abs(cx - px[j]) < w / 2 + 5 && abs(cy - py[j]) < h / 2 + 5) ok = 0
			if (ok) break
		  }
		  if (!ok) return
		  n++; bx[n] = cx; by[n] = cy; bw[n] = w; bh[n] = h
		  printf "%s\t%s\t%s\t%.6g\t%.6g\n", x[i], y[i], t[i], x0 + cx / W * (x1 - x0), y0 + cy / H * (y1 - y0) }
		function abs(v) { return v < 0 ? -v : v }' "$dir/map-items.tsv" -
}

item_map() {
	local labels arrows keys scale short
	labels=$(mktemp)
	arrows=$(mktemp)
	keys=$(mktemp)
	# Labels: the most liked items' positions and short titles, placed apart.
	most_liked | awk -F'\t' 'NR == FNR { want[$1] = 1; next }
		($1 in want) { t = $6; sub(/ \([0-9]+\)$/, "", t); if (length(t) > 28) t = substr(t, 1, 26) "..";
			print $2 "\t" $3 "\t" t }' - "$dir/map-items.tsv" | place_labels > "$labels"
	# Genre arrows, scaled so that the longest reaches 90% of the items' extent;
	# those under a fifth of the longest are drawn, but named below the title.
	scale=$(awk -F'\t' 'NR == FNR { r = $2 * $2 + $3 * $3; if (r > it) it = r; next }
		{ r = $2 * $2 + $3 * $3; if (r > tg) tg = r }
		END { print (tg > 0 ? 0.9 * sqrt(it) / sqrt(tg) : 1) }' "$dir/map-items.tsv" "$dir/map-tags.tsv")
	awk -F'\t' -v s="$scale" '{ r = sqrt($2 * $2 + $3 * $3); if (r > top) top = r; x[NR] = $2; y[NR] = $3; n[NR] = $4 }
		END { for (i = 1; i <= NR; i++) { r = sqrt(x[i] * x[i] + y[i] * y[i])
			print x[i] * s "\t" y[i] * s "\t" (r >= top / 5 ? n[i] : "") "\t" (r > 0 ? x[i] / r : 0) "\t" (r > 0 ? y[i] / r : 0) } }' \
		"$dir/map-tags.tsv" > "$arrows"
	short=$(awk -F'\t' '{ r = sqrt($2 * $2 + $3 * $3); if (r > top) top = r; n[NR] = $4; l[NR] = r }
		END { for (i = 1; i <= NR; i++) if (l[i] < top / 5) s = s (s == "" ? "" : ", ") n[i]; print s }' \
		"$dir/map-tags.tsv")
	# One colour and mark per main genre that some item has.
	awk -F'\t' '$4 != "" && !seen[$4]++ { print $4 "\t" $5 }' "$dir/map-items.tsv" | sort -n > "$keys"
	{
		cat <<-EOF
		set terminal pngcairo size 1280,1000 font 'sans,11'
		set output '$dir/item-map.png'
		set datafile separator '\t'
		set title "Items on the first two principal axes of their vectors, coloured by main genre;\narrows: the direction each genre moves an item$([ -z "$short" ] || printf ' (too short to name: %s)' "$short");\nlabels: the ten most liked items in train"
		set xlabel 'first principal axis'
		set ylabel 'second principal axis'
		set key outside right top box
		set grid
		EOF
		awk -F'\t' -v lab="$labels" -v arr="$arrows" -v map="$dir/map-items.tsv" -v colours="$colours" -v marks="$marks" '
			BEGIN { nc = split(colours, colour, / /); split(marks, mark, / /) }
			{ name = $2; gsub(/[\\"]/, "\\\\&", name)
			  k = NR - 1
			  line = line sep sprintf("'\''%s'\'' using ($4 == %d ? $2 : NaN):3 with points pt %d ps 0.7 lc rgb \"%s\" title \"%s\"", map, $1, mark[int(k / nc) % 2 + 1], colour[k % nc + 1], name); sep = ", \\\n  " }
			END {
				print "plot " line ", \\"
				print "  '\''" arr "'\'' using (0):(0):1:2 with vectors head filled lw 1.5 lc rgb '\''black'\'' notitle, \\"
				print "  '\''" arr "'\'' using ($1 + $4 * 0.12):($2 + $5 * 0.12):3 with labels font '\'',10'\'' tc rgb '\''black'\'' notitle, \\"
				print "  '\''" lab "'\'' using 1:2 with points pt 6 ps 1.6 lw 1.5 lc rgb '\''black'\'' notitle, \\"
				print "  '\''" lab "'\'' using 4:5:3 with labels font '\'',10'\'' tc rgb '\''#202060'\'' notitle"
			}' "$keys"
	} | "$gnuplot"
	rm -f "$labels" "$arrows" "$keys"
}

learning_curve
user_auc
item_map
printf 'plots: drew %s\n' "$dir/learning-curve.png $dir/user-auc.png $dir/item-map.png"
