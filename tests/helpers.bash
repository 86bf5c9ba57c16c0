# Shared setup for the bats suites: where the programs and the real data
# are, small fixtures the tests write themselves, and the checks every
# bad-input case makes.

bats_require_minimum_version 1.5.0

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
BIN="${BPR_BIN:-$ROOT/bin}"
UNIT="${BPR_UNIT:-$ROOT/build/unit}"
PATH="$BIN:$PATH"
DATA="${BPR_DATA:-$ROOT/../shared/data}"
ML100K="$DATA/ml-100k"
export LC_ALL=C

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# Real MovieLens files may not be redistributed: tests that need them use
# ../shared/data and skip, saying so, when it is absent.
need_ml100k() {
	[ -f "$ML100K/u.data" ] || skip "real data: $ML100K/u.data is absent"
}

need_file() {
	[ -f "$1" ] || skip "real data: $1 is absent"
}

need_command() {
	command -v "$1" >/dev/null || skip "$1 is not installed"
}

# A small ratings file in u.data layout: user item rating timestamp.
# Users 1..U each rate items with a pattern that gives every user a mix.
make_udata() {
	local users=${1:-20} items=${2:-30}
	awk -v U="$users" -v I="$items" 'BEGIN {
		srand(7); t = 880000000
		for (u = 1; u <= U; u++)
			for (i = 1; i <= I; i++)
				if ((u * 7 + i * 3) % 5 < 3)
					printf "%d\t%d\t%d\t%d\n", u, i, 1 + (u + i) % 5, t + u * 1000 + i * 17
	}'
}

# Positives in our TSV: user item (every pair of make_udata).
make_positives() {
	make_udata "$@" | cut -f1,2
}

# not COMMAND...: succeeds when the command fails. A bare "! command"
# cannot fail a bats test except on its last line (errexit ignores it).
not() {
	if "$@"; then
		return 1
	fi
	return 0
}

# Sorted row set of a file (order-free comparison).
rows() {
	LC_ALL=C sort "$@"
}

# bad STATUS PATTERN COMMAND...: the command fails with STATUS, its stderr
# starts with the program name and matches PATTERN (the file and line or
# the option at fault), the output files out.tsv and out2.tsv keep their
# old contents, and no temporary file is left behind.
bad() {
	local want=$1 pattern=$2 prog arg
	shift 2
	for arg in "$@"; do
		case "${arg##*/}" in
		split)
			prog=ml-split
			break ;;
		train)
			prog=bpr-train
			break ;;
		ml-split|ml-genres|triplet-sample|bpr-train|bpr-score|auc|als-train)
			prog=${arg##*/}
			break ;;
		esac
	done
	printf 'OLD\n' > out.tsv
	printf 'OLD\n' > out2.tsv
	run --separate-stderr "$@"
	if [ "$status" -ne "$want" ]; then
		echo "exit status $status, expected $want; stderr: $stderr" >&2
		return 1
	fi
	if ! [[ "$stderr" =~ ^$prog:\  ]]; then
		echo "stderr does not start with '$prog: ': $stderr" >&2
		return 1
	fi
	if ! [[ "$stderr" =~ $pattern ]]; then
		echo "stderr does not match /$pattern/: $stderr" >&2
		return 1
	fi
	if [ "$(cat out.tsv)" != OLD ] || [ "$(cat out2.tsv)" != OLD ]; then
		echo "an output file was changed" >&2
		return 1
	fi
	if ls -A | grep -q '^\..*\.[A-Za-z0-9]\{6\}$'; then
		echo "a temporary file was left: $(ls -A)" >&2
		return 1
	fi
}

# The command's output file (given after -o) must not exist after a failure.
no_file() {
	if [ -e "$1" ]; then
		echo "$1 exists after a failure" >&2
		return 1
	fi
}

# Item tags for items 1..I: each item has 1 to 3 of the tags 0..4.
make_item_tags() {
	local items=${1:-30}
	awk -v I="$items" 'BEGIN {
		for (i = 1; i <= I; i++)
			for (t = 0; t < 5; t++)
				if ((i + t) % 3 == 0 || t == i % 5)
					printf "%d\t%d\n", i, t
	}'
}

# Train and test positives of the small fixture (user, item), disjoint.
make_split() {
	make_udata "${1:-20}" "${2:-30}" > all.data
	ml-split -q --scheme leave-out --test-count 3 --seed 1 -o train.ratings -t test.ratings all.data
	# positives: every pair (the fixture's ratings are not a threshold's test)
	cut -f1,2 train.ratings > train.tsv
	cut -f1,2 test.ratings > test.tsv
	make_item_tags "${2:-30}" > item-tags.tsv
	awk -F'\t' '{ printf "%d\tMovie %d (19%02d)\n", $1, $1, $1 % 100 }' item-tags.tsv | sort -u -n > titles.tsv
}

# A small model trained on the fixture: quick, and enough to test the tools.
make_model() {
	make_split "$@"
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --item-dim 8 --tag-dim 4 \
		--epochs 5 --seed 3 -o model.bpr
}

# metric FILE NAME: the value of one metric<TAB>value line of auc's output.
metric() {
	awk -F'\t' -v m="$2" '$1 == m { print $2 }' "$1"
}
