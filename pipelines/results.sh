#!/usr/bin/env bash
# make results: the README's results table.  A few named ways of running
# bpr-train, als-train, and their rank blend on ua.base (ratings >= 4),
# each judged on ua.test under both protocols, mean and spread over three
# seeds.
#
#   ML100K   ml-100k directory or zip (found as make experiment finds it)
#   OUT      where results.tsv and results.md go (default: pipelines/results)
#   SEEDS    (default "1 2 3")
# pipefail: a run that fails stops the table, not only its own row
set -euo pipefail

prog=results
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/pipelines/results}
seeds=${SEEDS:-1 2 3}
. "$root/pipelines/common.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/bprtools-results.XXXXXX")
trap 'rm -rf "$work"' EXIT

# name<TAB>bpr-train flags (beyond --train, --items, --item-tags, --seed);
# @als: als-train's defaults instead; @blend: the rank blend of the two
# defaults' models, the flags after it bpr-train's
ways() {
	cat <<-'EOF'
	notebook (its model, loss, Keras Adam, batch 64)	--compat notebook
	hybrid, plain BPR-style training (one negative, no bias)	--hard 1 --no-bias
	pure CF (no genres)	--tag-mode off
	hybrid, sum of genres	--tag-mode sum
	WARP	--loss warp
	defaults (the sweep's best; row-wise Adagrad)	
	defaults, and the ratings below 4 as seen	--seen @rated
	als-train (iALS) defaults	@als
	rank blend of the als-train and bpr-train defaults	@blend
	rank blend of als-train and bpr-train with the ratings below 4 as seen	@blend --seen @rated
	EOF
}

prepare() {
	tool ml-split -q --scheme allbut --test-range 1:10 --min-rating 4 \
		-o "$work/train.tsv" -t "$work/test.tsv" "$ratings"
	tool ml-genres -q -o "$work/item-tags.tsv" --titles "$work/titles.tsv" "$items"
	# the same split with every rating kept, for --seen (@rated in the flags)
	tool ml-split -q --scheme allbut --test-range 1:10 -o "$work/rated.tsv" -t /dev/null "$ratings"
}

# bpr_train FLAGS SEED OUT: bpr-train on the split, @rated standing for rated.tsv.
bpr_train() {
	# shellcheck disable=SC2086 # the flags are words
	tool bpr-train -q --train "$work/train.tsv" --items "$work/item-tags.tsv" \
		--item-tags "$work/item-tags.tsv" --seed "$2" ${1//@rated/$work/rated.tsv} -o "$3"
}

# One way, one seed: seconds, clean AUC, notebook AUC, P@10, R@20.
run_way() {
	local flags=$1 seed=$2 t0 t1 second="" scores
	t0=$(date +%s.%N)
	case $flags in
	@als | @blend*)
		tool als-train -q --train "$work/train.tsv" --item-tags "$work/item-tags.tsv" --seed "$seed" \
			-o "$work/model.bpr" ;;
	*)
		bpr_train "$flags" "$seed" "$work/model.bpr" ;;
	esac
	if [[ $flags == @blend* ]]; then
		bpr_train "${flags#@blend}" "$seed" "$work/model2.bpr"
		second=$work/model2.bpr
	fi
	t1=$(date +%s.%N)
	scores=$(judge "$work/model.bpr" "$work/train.tsv" "$work/test.tsv" "$work/titles.tsv" $second)
	printf '%.2f\t%s\n' "$(echo "$t1 - $t0" | bc)" "$scores"
}

# Mean, and spread (max - min), of each column over the seeds.
summarise_way() {
	awk -F'\t' -v name="$1" -v flags="$2" '{
		for (i = 1; i <= 5; i++) {
			s[i] += $i
			if (NR == 1 || $i < lo[i]) lo[i] = $i
			if (NR == 1 || $i > hi[i]) hi[i] = $i
		}
	} END {
		printf "%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.2f\n", name, (flags == "" ? "(none)" : flags),
			s[3] / NR, hi[3] - lo[3], s[2] / NR, hi[2] - lo[2], s[4] / NR, s[5] / NR, s[1] / NR
	}'
}

table() {
	cat <<-EOF
	| way | bpr-train flags | AUC notebook (spread) | AUC clean (spread) | P@10 | R@20 | train s |
	|---|---|---|---|---|---|---|
	EOF
	awk -F'\t' 'NR > 1 { printf "| %s | `%s` | %s (%s) | %s (%s) | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' \
		"$out/results.tsv"
	cat <<-EOF

	Made by \`make results\` (pipelines/results.sh) on $(date -u '+%Y-%m-%d'): ua.base, ratings >= 4,
	30 epochs, judged on ua.test; mean of seeds ${seeds// /, } (spread: the largest less the
	smallest); training time is bpr-train's wall time, one thread. *notebook*: ids 0..max
	ranked, train positives counted as negatives; *clean*: the catalogue ranked, train
	positives left out (id 0 is not an item); P@10 under the clean protocol. *@rated*: the
	same ua.base with every rating kept (\`ml-split -o rated.tsv -t /dev/null u.data\`), whose
	ratings below 4 \`--seen\` trains as seen. *@als*: als-train's defaults (iALS) instead of
	bpr-train; *@blend*: the rank blend (\`auc -m als.bpr -m bpr.bpr\`) of the als-train
	defaults' model and bpr-train's (its defaults, or the flags after @blend), its seconds
	both trainings'. R@20 under the clean protocol.
	EOF
}

find_data
prepare
mkdir -p "$out"
printf 'way\tflags\tauc_notebook\tauc_notebook_spread\tauc_clean\tauc_clean_spread\tp@10\tr@20\tseconds\n' \
	> "$out/results.tsv.part"
while IFS='	' read -r name flags; do
	say "$prog: $name" >&2
	for seed in $seeds; do
		run_way "$flags" "$seed"
	done | summarise_way "$name" "$flags" >> "$out/results.tsv.part"
done < <(ways)
mv "$out/results.tsv.part" "$out/results.tsv"
table > "$out/results.md.part" && mv "$out/results.md.part" "$out/results.md"
cat "$out/results.md"
