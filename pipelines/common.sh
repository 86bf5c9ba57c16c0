# Shared by the pipelines: finding ml-100k and running our tools.
# Source it after setting $prog (the name errors carry) and $root.

grouplens=https://files.grouplens.org/datasets/movielens/ml-100k.zip
md5=0e33842e24a9c977be4e0107933c0723	# GroupLens' published checksum
bin=$root/bin

say() { printf '%s\n' "$*"; }
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

# tool NAME ARGS...: one of ours, under $VALGRIND when set (make valgrind).
tool() {
	local name=$1
	shift
	${VALGRIND:-} "$bin/$name" "$@"
}

# The ratings and catalogue paths of an ml-100k directory or zip.
use_data() {
	if [ -d "$1" ] && [ -f "$1/u.data" ] && [ -f "$1/u.item" ]; then
		ratings=$1/u.data
		items=$1/u.item
	elif [ -f "$1" ] && [ "$(head -c 2 "$1")" = PK ]; then
		ratings=$1
		items=$1
	else
		return 1
	fi
	data=$1
}

download() {
	local zip=$root/data/ml-100k.zip
	command -v curl >/dev/null || die "no ml-100k found and curl is missing: set ML100K=path/to/ml-100k"
	mkdir -p "$root/data"
	say "$prog: downloading $grouplens"
	curl -fsSL --retry 2 -o "$zip.part" "$grouplens" ||
		die "cannot download $grouplens (offline?): set ML100K=path/to/ml-100k"
	[ "$(md5sum < "$zip.part" | cut -d' ' -f1)" = "$md5" ] || { rm -f "$zip.part"; die "$grouplens: checksum mismatch"; }
	mv "$zip.part" "$zip"
	use_data "$zip"
}

# Sets $data, $ratings and $items from $ML100K or the usual places.
find_data() {
	if [ -n "${ML100K:-}" ]; then
		use_data "$ML100K" || die "ML100K=$ML100K is neither an ml-100k directory nor ml-100k.zip"
		return
	fi
	use_data "$root/data/ml-100k" || use_data "$root/data/ml-100k.zip" ||
		use_data "$root/../shared/data/ml-100k" || download
}

# metric FILE NAME: the value of one metric in auc's output.
metric() { awk -F'\t' -v m="$2" '$1 == m { print $2 }' "$1"; }

# judge MODEL TRAIN TEST TITLES [MODEL2]: the clean AUC (catalogue ranked,
# train positives left out), the notebook's AUC (ids 0..max ranked, train
# positives counted as negatives), the clean P@10 and R@20, tab-separated;
# of the rank blend of MODEL and MODEL2 when MODEL2 is given.
judge() {
	local two=()
	[ -z "${5:-}" ] || two=(-m "$5")
	tool auc -m "$1" "${two[@]}" --exclude "$2" --items "$4" -k 10 "$3" > "$1.clean" || return
	tool auc -m "$1" "${two[@]}" --exclude "$2" --items "$4" -k 20 "$3" > "$1.k20" || return
	tool auc -m "$1" "${two[@]}" --compat notebook "$3" > "$1.nb" || return
	printf '%s\t%s\t%s\t%s\n' "$(metric "$1.clean" auc)" "$(metric "$1.nb" auc)" \
		"$(metric "$1.clean" p@10)" "$(metric "$1.k20" r@20)"
	rm -f "$1.clean" "$1.nb" "$1.k20"
}

# carve DIR: the validation split of the sweeps. ua.base is made exactly as
# GroupLens made it, then 10 of each user's ratings go to validation at
# random (as ua.test holds 10 of each user's), and only then are ratings
# >= 4 kept, as for ua.test: DIR/fit.tsv, DIR/valid.tsv, DIR/fit-rated.tsv
# (every rating of the fit side), DIR/item-tags.tsv and DIR/titles.tsv.
carve() {
	tool ml-split -q --scheme allbut --test-range 1:10 -o "$1/base.tsv" -t /dev/null "$ratings"
	tool ml-split -q --scheme leave-out --test-count 10 --seed 1 --min-rating 4 \
		-o "$1/fit.tsv" -t "$1/valid.tsv" "$1/base.tsv"
	tool ml-split -q --scheme leave-out --test-count 10 --seed 1 \
		-o "$1/fit-rated.tsv" -t /dev/null "$1/base.tsv"
	tool ml-genres -q -o "$1/item-tags.tsv" --titles "$1/titles.tsv" "$items"
}
