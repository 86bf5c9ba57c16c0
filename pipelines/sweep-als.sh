#!/usr/bin/env bash
# make sweep (and make sweep-als alone): als-train's grid on the validation
# split that pipelines/sweep.sh carves from ua.base (ua.test is never read),
# written as pipelines/sweep/sweep-als.tsv and a sorted Markdown table.
# als-train's defaults are chosen from it by one rule: among the settings
# within 0.002 of the best validation clean AUC, the best validation P@10
# to three decimals, and of those the fastest.
#
#   ML100K, OUT, JOBS, SEEDS   as for pipelines/sweep.sh
#   DIMS, ALPHA0S, LAMBDAS, SWEEPS, TAGS   the grid's axes (defaults below);
#              a TAGS value is off, or mode:weight (--tag-mode, --tag-weight)
#   RUNS       a runs file kept from an earlier sweep (OUT/sweep-als-runs.tsv):
#              remake the tables from it, running only the grid points it lacks
set -eu

prog=sweep-als
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/pipelines/sweep}
jobs=${JOBS:-$(nproc)}
seeds=${SEEDS:-1 2}
dims=${DIMS:-32 64}
alpha0s=${ALPHA0S:-0.1 0.2 0.4}
lambdas=${LAMBDAS:-0.01 0.02 0.04}
sweeps=${SWEEPS:-8 12 16}
tags=${TAGS:-off mean:0.5 mean:1 sum:0.25 sum:0.5}
. "$root/pipelines/common.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/bprtools-sweep-als.XXXXXX")
trap 'rm -rf "$work"' EXIT

# One run: train on fit.tsv (the catalogue's genres as --item-tags, used as
# the tags setting says), measure on valid.tsv.
run_one() {
	local dim=$1 alpha0=$2 lambda=$3 sweeps=$4 tags=$5 seed=$6 model t0 t1 scores how=(--tag-mode off)
	[ "$tags" = off ] || how=(--tag-mode "${tags%:*}" --tag-weight "${tags#*:}")
	model=$work/$dim-$alpha0-$lambda-$sweeps-$tags-$seed.bpr
	t0=$(date +%s.%N)
	tool als-train -q --train "$work/fit.tsv" --item-tags "$work/item-tags.tsv" "${how[@]}" \
		--dim "$dim" --alpha0 "$alpha0" --lambda "$lambda" --sweeps "$sweeps" --seed "$seed" \
		--threads 1 -o "$model" || return 1
	t1=$(date +%s.%N)
	# a run that failed is no row: the count of rows tells
	scores=$(judge "$model" "$work/fit.tsv" "$work/valid.tsv" "$work/titles.tsv") || return 1
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\n' "$dim" "$alpha0" "$lambda" "$sweeps" "$tags" "$seed" \
		"$(echo "$t1 - $t0" | bc)" \
		"$scores"
	rm -f "$model"
}

grid() {
	local dim alpha0 lambda sweep tag seed
	for dim in $dims; do for alpha0 in $alpha0s; do for lambda in $lambdas; do
	for sweep in $sweeps; do for tag in $tags; do for seed in $seeds; do
		printf '%s %s %s %s %s %s\n' "$dim" "$alpha0" "$lambda" "$sweep" "$tag" "$seed"
	done; done; done; done; done; done
}

# Mean over seeds per grid point, ranked by the rule: within 0.002 of the
# best clean AUC first (by P@10 to three decimals, then seconds), then the
# rest (by clean AUC).
summarise() {
	printf 'rank\tdim\talpha0\tlambda\tsweeps\ttags\tvalid_auc_clean\tvalid_auc_notebook\tvalid_p@10\tseconds\n'
	awk -F'\t' '{
		k = $1 "\t" $2 "\t" $3 "\t" $4 "\t" $5
		n[k]++; s[k] += $7; c[k] += $8; b[k] += $9; p[k] += $10
	} END {
		for (k in n)
			printf "%s\t%.4f\t%.4f\t%.4f\t%.2f\n", k, c[k] / n[k], b[k] / n[k], p[k] / n[k], s[k] / n[k]
	}' "$work/runs.tsv" |
	rank_rows
}

# The rule, on rows dim..seconds: a first column 0 for the rows within
# 0.002 of the best clean AUC, and their P@10 to three decimals, to sort by.
rank_rows() {
	awk -F'\t' '{ row[NR] = $0; auc[NR] = $6; p[NR] = $8; if ($6 > best) best = $6 }
		END { for (i = 1; i <= NR; i++)
			printf "%d\t%.3f\t%s\n", (auc[i] >= best - 0.002 ? 0 : 1), p[i], row[i] }' |
	sort -t "$(printf '\t')" -k1,1n -k2,2gr -k11,11g -k8,8gr | cut -f3- | awk '{ print NR "\t" $0 }'
}

table() {
	cat <<-EOF
	# als-train settings swept on MovieLens 100k

	Made by \`make sweep\` (pipelines/sweep-als.sh) on $(date -u '+%Y-%m-%d'), $(wc -l < "$work/runs.tsv") runs, $jobs at a time.

	Train on ua.base less 10 random ratings per user (validation), ratings >= 4, the catalogue's
	genres as \`--item-tags\`; ua.test is not read. Each row is the mean over seeds ${seeds// /, };
	exact solves. *tags*: off (no tag part), or \`--tag-mode\`:\`--tag-weight\`.
	*clean*: the catalogue ranked, the user's training positives left out; *notebook*: ids
	0..max ranked, training positives counted as negatives. The rule that chose als-train's
	defaults (rank 1): among the settings within 0.002 of the best clean AUC, the best P@10 to
	three decimals, and of those the fastest; those come first, the rest after, by clean AUC.

	| rank | dim | alpha0 | lambda | sweeps | tags | AUC clean | AUC notebook | P@10 | s/run |
	|---|---|---|---|---|---|---|---|---|---|
	EOF
	awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' \
		"$out/sweep-als.tsv"
}

find_data
carve "$work"
grid > "$work/grid"
say "$prog: $(wc -l < "$work/grid") runs, $jobs at a time" >&2
export -f run_one tool judge metric
export work bin
: > "$work/runs.tsv"
if [ -n "${RUNS:-}" ]; then
	cp "$RUNS" "$work/runs.tsv"
	# the grid points it lacks (dim, alpha0, lambda, sweeps, tags, seed)
	awk 'NR == FNR { have[$1 " " $2 " " $3 " " $4 " " $5 " " $6] = 1; next } !($0 in have)' \
		FS='\t' "$work/runs.tsv" FS=' ' "$work/grid" > "$work/todo"
	mv "$work/todo" "$work/grid"
fi
xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ < "$work/grid" >> "$work/runs.tsv" \
	|| die "some runs failed (their messages are above)"
[ "$(wc -l < "$work/runs.tsv")" -eq "$(grid | wc -l)" ] || die "some runs failed"
mkdir -p "$out"
cp "$work/runs.tsv" "$out/sweep-als-runs.tsv"
summarise > "$out/sweep-als.tsv.part" && mv "$out/sweep-als.tsv.part" "$out/sweep-als.tsv"
table > "$out/sweep-als.md.part" && mv "$out/sweep-als.md.part" "$out/sweep-als.md"
cat "$out/sweep-als.md"
say
say "$prog: the table is $out/sweep-als.md; chosen: $(awk -F'\t' 'NR == 2 { print "dim", $2, "alpha0", $3, "lambda", $4, "sweeps", $5, "tags", $6 }' "$out/sweep-als.tsv")"
