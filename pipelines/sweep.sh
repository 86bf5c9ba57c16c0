#!/usr/bin/env bash
# make sweep: a small grid of bpr-train settings on MovieLens 100k, judged
# on a validation split carved from ua.base (ua.test is never read), run
# in parallel, written as a TSV and a sorted Markdown table.  bpr-train's
# defaults are the winner of this table.
#
#   ML100K     ml-100k directory or zip (found as make experiment finds it)
#   OUT        where sweep.tsv and sweep.md go (default: pipelines/sweep,
#              the copy kept in the repository)
#   JOBS       runs at once (default: the number of processors)
#   SEEDS      seeds averaged per setting (default "1 2")
#   EPOCHS     epochs per run (default 30, the notebook's)
#   LOSSES, OPTIMIZERS, DIMS, L2S, NEGATIVES, SEENS
#              the grid's axes (defaults below); DIMS are item+tag sizes,
#              NEGATIVES are unseen, hardK (best of K) or pop:A, SEENS are
#              --seen-rate values for the ratings below 4 (0: not given)
set -eu

prog=sweep
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/pipelines/sweep}
jobs=${JOBS:-$(nproc)}
seeds=${SEEDS:-1 2}
epochs=${EPOCHS:-30}
losses=${LOSSES:-notebook bpr warp}
optimizers=${OPTIMIZERS:-adagrad adam}
dims=${DIMS:-45+5 90+10 180+20 100+0}
l2s=${L2S:-0 0.0001 0.001}
negatives=${NEGATIVES:-unseen hard3 pop:0.5}
seens=${SEENS:-0 0.2 0.3 0.5}
. "$root/pipelines/common.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/bprtools-sweep.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The bpr-train flags of one grid point.
flags() {
	local loss=$1 opt=$2 dim=$3 l2=$4 neg=$5 seen=$6
	printf -- '--loss %s --optimizer %s --item-dim %s --tag-dim %s --l2 %s ' \
		"$loss" "$opt" "${dim%+*}" "${dim#*+}" "$l2"
	case $neg in
	hard*) printf -- '--neg unseen --hard %s' "${neg#hard}" ;;
	*) printf -- '--neg %s --hard 1' "$neg" ;;
	esac
	[ "$seen" = 0 ] || printf -- ' --seen %s --seen-rate %s' "$work/fit-rated.tsv" "$seen"
}

# One run: train on fit.tsv, then measure on valid.tsv under both
# protocols.  Prints the grid point, seed, seconds and the three numbers.
run_one() {
	local loss=$1 opt=$2 dim=$3 l2=$4 neg=$5 seen=$6 seed=$7 model t0 t1 scores
	model=$work/$loss-$opt-$dim-$l2-${neg/:/_}-$seen-$seed.bpr
	t0=$(date +%s.%N)
	# shellcheck disable=SC2046 # the flags are words
	tool bpr-train -q --train "$work/fit.tsv" --items "$work/item-tags.tsv" \
		--item-tags "$work/item-tags.tsv" --epochs "$epochs" --seed "$seed" \
		$(flags "$loss" "$opt" "$dim" "$l2" "$neg" "$seen") -o "$model" || return 1
	t1=$(date +%s.%N)
	# a run that failed is no row: the count of rows tells
	scores=$(judge "$model" "$work/fit.tsv" "$work/valid.tsv" "$work/titles.tsv") || return 1
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\n' "$loss" "$opt" "$dim" "$l2" "$neg" \
		"$seen" "$seed" \
		"$(echo "$t1 - $t0" | bc)" \
		"$scores"
	rm -f "$model"
}

grid() {
	local loss opt dim l2 neg seen seed
	for loss in $losses; do for opt in $optimizers; do for dim in $dims; do
	for l2 in $l2s; do for neg in $negatives; do for seen in $seens; do for seed in $seeds; do
		# WARP draws its own negatives until one violates the margin
		case $loss-$neg in warp-hard*) continue ;; esac
		printf '%s %s %s %s %s %s %s\n' "$loss" "$opt" "$dim" "$l2" "$neg" "$seen" "$seed"
	done; done; done; done; done; done; done
}

# Mean over seeds per grid point, best clean validation AUC first.
summarise() {
	printf 'rank\tloss\toptimizer\tdims\tl2\tnegatives\tseen\tvalid_auc_clean\tvalid_auc_notebook\tvalid_p@10\tseconds\n'
	awk -F'\t' '{
		k = $1 "\t" $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6
		n[k]++; s[k] += $8; c[k] += $9; b[k] += $10; p[k] += $11
	} END {
		for (k in n)
			printf "%s\t%.4f\t%.4f\t%.4f\t%.2f\n", k, c[k] / n[k], b[k] / n[k], p[k] / n[k], s[k] / n[k]
	}' "$work/runs.tsv" | sort -t "$(printf '\t')" -k7,7gr -k9,9gr -k1,6 | awk '{ print NR "\t" $0 }'
}

# What bpr-train does without flags, as a grid point: one epoch trained
# with no options but the seen ratings, read back from the settings its
# model file records.
default_point() {
	tool bpr-train -q --train "$work/fit.tsv" --seen "$work/fit-rated.tsv" --epochs 1 \
		-o "$work/defaults.bpr"
	strings "$work/defaults.bpr" | awk -F= '
		/^format=bprtools-model$/ { on = 1 }
		on && !($1 in v) { v[$1] = substr($0, length($1) + 2) }
		/^item_tags=/ { on = 0 }
		END {
			split(v["l2"], l2, ",")
			split(v["triplets"], t, "[ =]")
			neg = (t[1] == "neg" ? t[2] : "?")
			if (neg == "unseen" && v["hard"] > 1) neg = "hard" v["hard"]
			seen = "?"
			for (i = 1; i < length(t); i++)
				if (t[i] == "seen_rate") seen = t[i + 1]
			printf "%s\t%s\t%s+%s\t%s\t%s\t%s\n", v["loss"], v["optimizer"], v["item_dim"],
				v["tag_dim"], l2[1], neg, seen
		}'
}

table() {
	local def
	def=$(default_point)
	cat <<-EOF
	# bpr-train settings swept on MovieLens 100k

	Made by \`make sweep\` (pipelines/sweep.sh) on $(date -u '+%Y-%m-%d'), $(wc -l < "$work/runs.tsv") runs, $jobs at a time.

	Train on ua.base less 10 random ratings per user (validation), ratings >= 4; ua.test is
	not read. Each row is the mean over seeds ${seeds// /, } of $epochs epochs; every other flag is
	bpr-train's default (item bias on). *seen*: the --seen-rate of the same training ratings
	below 4 given as \`--seen\` (no: not given). *clean*: the catalogue ranked, the user's
	training positives left out; *notebook*: ids 0..max ranked, training positives counted as
	negatives. Sorted by the clean AUC. The row marked **default** is what bpr-train does
	without flags (given the seen ratings).

	| rank | loss | optimizer | dims | l2 | negatives | seen | AUC clean | AUC notebook | P@10 | s/run |
	|---|---|---|---|---|---|---|---|---|---|---|
	EOF
	awk -F'\t' -v def="$def" 'NR > 1 {
		k = $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 "\t" $7
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", \
			$1 (k == def ? " **default**" : ""), $2, $3, $4, $5, $6, ($7 == 0 ? "no" : $7), \
			$8, $9, $10, $11
	}' "$out/sweep.tsv"
}

find_data
carve "$work"
grid > "$work/grid"
say "$prog: $(wc -l < "$work/grid") runs of $epochs epochs, $jobs at a time" >&2
export -f run_one flags tool judge metric
export work epochs bin
xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ < "$work/grid" > "$work/runs.tsv" \
	|| die "some runs failed (their messages are above)"
[ "$(wc -l < "$work/runs.tsv")" -eq "$(wc -l < "$work/grid")" ] || die "some runs failed"
mkdir -p "$out"
summarise > "$out/sweep.tsv.part" && mv "$out/sweep.tsv.part" "$out/sweep.tsv"
table > "$out/sweep.md.part" && mv "$out/sweep.md.part" "$out/sweep.md"
cat "$out/sweep.md"
say
say "$prog: the table is $out/sweep.md; best: $(awk -F'\t' 'NR == 2 { print $2, $3, $4, "l2", $5, $6, "seen", $7 }' "$out/sweep.tsv")"
