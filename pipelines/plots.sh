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

# What a faithful re-implementation of the notebook measured (issue 3):
# test AUC, every id ranked and train positives counted, epochs 0-30.
notebook_reference=$(printf '%s\t%s\n' 0 0.50 10 0.904 20 0.916 30 0.919)
reference_plot=', $reference using 1:2 with points pt 6 ps 2 lw 2 lc rgb "black" title "notebook re-implementation (reference)"'
# Twenty colours far enough apart to tell genres by (Kelly's list, roughly).
colours='#e6194b #3cb44b #4363d8 #f58231 #911eb4 #42d4f4 #f032e6 #bfef45 #fabed4 #469990
#dcbeff #9a6324 #800000 #aaffc3 #808000 #000075 #a9a9a9 #ffd8b1 #ffe119 #000000'

learning_curve() {
	"$gnuplot" <<-EOF
	set terminal pngcairo size 900,700 font 'sans,10'
	set output '$dir/learning-curve.png'
	set datafile separator '\t'
	set key autotitle columnhead
	\$reference << EOD
	$notebook_reference
	EOD
	set multiplot layout 2,1 title "Learning curve$caption"
	set grid
	set xlabel 'epoch'
	set ylabel 'mean loss per triplet'
	plot '$dir/train-log.tsv' using 1:2 with linespoints pt 7 ps 0.6 lw 2 title 'train loss'
	set ylabel 'test AUC'
	set key bottom right
	plot '$dir/train-log.tsv' using 1:3 with linespoints pt 7 lw 2 \
		title 'AUC, every id ranked, train counted (notebook protocol)', \
	     '' using 1:4 with linespoints pt 5 lw 2 title 'AUC, train left out' $([ $reference = 0 ] || echo "$reference_plot")
	unset multiplot
	EOF
}

user_auc() {
	"$gnuplot" <<-EOF
	set terminal pngcairo size 900,600 font 'sans,10'
	set output '$dir/user-auc.png'
	set datafile separator '\t'
	stats '$dir/user-auc.tsv' using 2 nooutput
	width = 0.02
	bin(x) = width * floor(x / width) + width / 2
	set title sprintf('Per-user test AUC: %d users, mean %.4f, median %.4f', \
		STATS_records, STATS_mean, STATS_median)
	set xlabel 'AUC of one user (train positives left out)'
	set ylabel 'users'
	set xrange [0:1.02]
	set style fill solid 0.6 border -1
	set grid ytics
	set arrow from STATS_mean, graph 0 to STATS_mean, graph 1 nohead lw 2 dt 2
	plot '$dir/user-auc.tsv' using (bin(\$2)):(1) smooth frequency with boxes \
		title sprintf('users per %.2f of AUC', width)
	EOF
}

# The most liked items in train: id<TAB>count, at most 12.
most_liked() {
	awk -F'\t' '!/^#/ && NF >= 2 { n[$2]++ } END { for (i in n) print i "\t" n[i] }' "$dir/train.tsv" |
		sort -t"$(printf '\t')" -k2,2nr -k1,1n | head -12
}

item_map() {
	local labels arrows keys scale
	labels=$(mktemp)
	arrows=$(mktemp)
	keys=$(mktemp)
	# Labels: the most liked items' positions and short titles.
	most_liked | awk -F'\t' 'NR == FNR { want[$1] = 1; next }
		($1 in want) { t = $6; sub(/ \([0-9]+\)$/, "", t); if (length(t) > 28) t = substr(t, 1, 26) "..";
			print $2 "\t" $3 "\t" t }' - "$dir/map-items.tsv" > "$labels"
	# Genre arrows, scaled so that the longest reaches 90% of the items' extent.
	scale=$(awk -F'\t' 'NR == FNR { r = $2 * $2 + $3 * $3; if (r > it) it = r; next }
		{ r = $2 * $2 + $3 * $3; if (r > tg) tg = r }
		END { print (tg > 0 ? 0.9 * sqrt(it) / sqrt(tg) : 1) }' "$dir/map-items.tsv" "$dir/map-tags.tsv")
	awk -F'\t' -v s="$scale" '{ print $2 * s "\t" $3 * s "\t" $4 }' "$dir/map-tags.tsv" > "$arrows"
	# One colour and key entry per main genre that some item has.
	awk -F'\t' '$4 != "" && !seen[$4]++ { print $4 "\t" $5 }' "$dir/map-items.tsv" | sort -n > "$keys"
	{
		cat <<-EOF
		set terminal pngcairo size 1100,850 font 'sans,9'
		set output '$dir/item-map.png'
		set datafile separator '\t'
		set title "Items on the first two principal axes of their vectors, coloured by main genre\n(arrows: the direction each genre moves an item; labels: the most liked items in train)"
		set xlabel 'first principal axis'
		set ylabel 'second principal axis'
		set key outside right top box
		set grid
		EOF
		awk -F'\t' -v lab="$labels" -v arr="$arrows" -v map="$dir/map-items.tsv" -v colours="$colours" '
			BEGIN { nc = split(colours, colour, /[ \n]+/) }
			{ name = $2; gsub(/[\\"]/, "\\\\&", name)
			  line = line sep sprintf("'\''%s'\'' using ($4 == %d ? $2 : NaN):3 with points pt 7 ps 0.5 lc rgb \"%s\" title \"%s\"", map, $1, colour[(NR - 1) % nc + 1], name); sep = ", \\\n  " }
			END {
				print "plot " line ", \\"
				print "  '\''" arr "'\'' using (0):(0):1:2 with vectors head filled lw 1.5 lc rgb '\''black'\'' notitle, \\"
				print "  '\''" arr "'\'' using 1:2:3 with labels offset char 0,0.6 font '\'',8'\'' notitle, \\"
				print "  '\''" lab "'\'' using 1:2:3 with labels point pt 6 ps 1.2 offset char 0,-0.8 font '\'',8'\'' tc rgb '\''#202060'\'' notitle"
			}' "$keys"
	} | "$gnuplot"
	rm -f "$labels" "$arrows" "$keys"
}

learning_curve
user_auc
item_map
printf 'plots: drew %s\n' "$dir/learning-curve.png $dir/user-auc.png $dir/item-map.png"
