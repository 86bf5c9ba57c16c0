#!/usr/bin/env bash
# make slurm-experiment: the experiment's chain as Slurm jobs, on a
# filesystem every node sees. Split and genres, then training on one node,
# then auc and every user's top 10 as a job array of shards, then their
# merge; it waits for the chain, and leaves in OUT
#
#   model.bpr   the model
#   auc.tsv     the metric lines, as one auc run prints them (clean
#               protocol: the catalogue ranked, train positives left out)
#   top10.tsv   every user's top 10: user<TAB>rank<TAB>item<TAB>score
#
# Every output is written under a temporary name and renamed when whole,
# so a run again after a failure submits only what is missing: the shards
# whose outputs are not there, and the stages before them if theirs are
# not. A new model makes the old shards' outputs stale: they are removed.
#
#   ML100K        ml-100k directory or ml-100k.zip (as make experiment)
#   SHARDS        shards of the evaluation and the top 10 (default 4)
#   OUT           output directory (default slurm-experiment/)
#   SEED          (default 1)
#   TRAIN_CPUS    cores for training: bpr-train --threads (default 2)
#   SBATCH_FLAGS  more sbatch options for every job (--partition, --time...)
set -eu

prog=slurm-experiment
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/pipelines/common.sh"

# --- the jobs: run on a node as `slurm.sh job STAGE`, in $out ---

job_prepare() {
	tool ml-split -q --scheme allbut --test-range 1:10 --min-rating 4 \
		-o train.tsv -t test.tsv "$ratings"
	tool ml-genres -q --vocab tags.tsv --titles titles.tsv -o item-tags.tsv "$items"
}

job_train() {
	rm -rf parts
	tool bpr-train -q --seed "$seed" --threads "${SLURM_CPUS_PER_TASK:-1}" --train train.tsv \
		--item-tags item-tags.tsv -o model.bpr
}

# A shard's two outputs, each renamed into place when whole.
job_shard() {
	local i=$SLURM_ARRAY_TASK_ID n=$shards tmp
	tmp=parts/.tmp.$SLURM_ARRAY_JOB_ID.$i
	mkdir -p parts
	rm -f "parts/.tmp."*".$i."*
	tool auc -m model.bpr --exclude train.tsv --items titles.tsv -k 10 --shard "$i/$n" \
		test.tsv > "$tmp.auc"
	mv "$tmp.auc" "parts/auc.$i"
	tool bpr-score -m model.bpr --top 10 --all-users --exclude train.tsv --shard "$i/$n" > "$tmp.top"
	mv "$tmp.top" "parts/top10.$i"
}

job_merge() {
	local parts=() i
	for ((i = 0; i < shards; i++)); do parts+=("parts/auc.$i"); done
	tool auc --merge "${parts[@]}" > .auc.tsv.tmp
	mv .auc.tsv.tmp auc.tsv
	for ((i = 0; i < shards; i++)); do cat "parts/top10.$i"; done |
		LC_ALL=C sort -t "$(printf '\t')" -k1,1n -k2,2n > .top10.tsv.tmp
	mv .top10.tsv.tmp top10.tsv
}

# --- the submission, on the login node ---

have() { local f; for f in "$@"; do [ -s "$out/$f" ] || return 1; done; }

# submit NAME [SBATCH OPTIONS...]: one stage's job, after the last one
# submitted; prints its id.
last=""
submit() {
	local name=$1 log=%x-%j.out
	shift
	case "$*" in *--array*) log=%x-%A_%a.out ;; esac
	# --wrap, not the script itself: Slurm runs a copy of a script from its spool.
	sbatch --parsable --job-name="bpr-$name" --chdir="$out" --output="$out/logs/$log" \
		--kill-on-invalid-dep=yes ${last:+--dependency=afterok:$last} ${SBATCH_FLAGS:-} "$@" \
		--wrap="exec '$root/pipelines/slurm.sh' job $name" | cut -d';' -f1
}

# The shards whose outputs are missing, as sbatch --array wants them: 0,3
missing_shards() {
	local i list=""
	for ((i = 0; i < shards; i++)); do
		have "parts/auc.$i" "parts/top10.$i" || list=$list${list:+,}$i
	done
	printf '%s' "$list"
}

submit_chain() {
	local todo=""
	mkdir -p "$out/logs"
	if ! have train.tsv test.tsv item-tags.tsv titles.tsv tags.tsv; then
		last=$(submit prepare)
		todo="$todo prepare (job $last),"
	fi
	if [ -n "$last" ] || ! have model.bpr; then
		rm -rf "$out/parts"
		last=$(submit train --cpus-per-task="${TRAIN_CPUS:-2}")
		todo="$todo train (job $last),"
	fi
	local missing
	missing=$(missing_shards)
	if [ -n "$missing" ]; then
		last=$(submit shard --array="$missing")
		todo="$todo shards $missing of $shards (job $last),"
	fi
	say "$prog: submitted$todo merge; waiting"
	rm -f "$out/auc.tsv" "$out/top10.tsv"
	# sbatch --wait succeeds for a job cancelled by a failed dependency: look at the outputs.
	if ! submit merge --wait >/dev/null || ! have model.bpr auc.tsv top10.tsv; then
		missing=$(missing_shards)
		die "the chain failed${missing:+ (shards $missing of $shards have no output)}: see $out/logs; run again to resubmit what is missing"
	fi
	say "$prog: done: $out/model.bpr, $out/auc.tsv, $out/top10.tsv"
}

shards=${SHARDS:-4}
seed=${SEED:-1}
case "$shards" in '' | *[!0-9]* | 0*) die "SHARDS=$shards: expected a number of shards, 1 or more" ;; esac
if [ "${1:-}" = job ]; then
	out=$PWD
	ratings=$BPR_RATINGS
	items=$BPR_ITEMS
	"job_$2"
	exit
fi
command -v sbatch >/dev/null || die "sbatch not found: run this where Slurm jobs are submitted"
out=${OUT:-$root/slurm-experiment}
mkdir -p "$out"
out=$(cd "$out" && pwd)
find_data
# The jobs find the data by absolute path, through the environment sbatch passes on.
export BPR_RATINGS BPR_ITEMS SHARDS=$shards SEED=$seed
BPR_RATINGS=$(cd "$(dirname "$ratings")" && pwd)/$(basename "$ratings")
BPR_ITEMS=$(cd "$(dirname "$items")" && pwd)/$(basename "$items")
submit_chain
