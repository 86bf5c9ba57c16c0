#!/usr/bin/env bats
# The seams between tools: every input read from a pipe, a FIFO or <(...)
# gives what the regular file gives; outputs never name inputs or each
# other; closed standard streams, empty names, modes, links and long names;
# a signal at any moment leaves the old or the new model, never a part.

load helpers

# with MODE ARGS...: run ARGS with every @FILE replaced by FILE (file), by a
# pipe of it as <(cat FILE) gives (pipe), or by a FIFO that cat writes
# (fifo); every % becomes MODE, to name outputs apart.
with() {
	local mode=$1 a f fd n=0 rc=0
	local -a args=() fds=()
	shift
	for a in "$@"; do
		a=${a//%/$mode}
		if [[ $a != @* ]]; then
			args+=("$a")
			continue
		fi
		f=${a#@}
		case $mode in
		file) args+=("$f") ;;
		pipe)
			exec {fd}< <(cat "$f")
			fds+=("$fd")
			args+=("/dev/fd/$fd") ;;
		fifo)
			rm -f "fifo$n"
			mkfifo "fifo$n"
			cat "$f" > "fifo$n" 3>&- &
			args+=("fifo$n")
			n=$((n + 1)) ;;
		esac
	done
	"${args[@]}" || rc=$?
	for fd in "${fds[@]}"; do
		exec {fd}<&-
	done
	# a writer whose FIFO was never opened would wait for ever
	for f in $(jobs -p); do
		kill "$f" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	return "$rc"
}

# same ARGS...: the command run on files, pipes and FIFOs; its standard
# output and every output file named with % are the same bytes. Lines
# naming an input (auc's #, a triplet stream's header, a model's meta
# table and its CRC) are compared with the names masked: a pipe has none
# of its own.
same() {
	local mode f
	for mode in file pipe fifo; do
		with "$mode" "$@" > "stdout.$mode"
	done
	for f in *.file; do
		for mode in pipe fifo; do
			if ! cmp <(mask < "$f") <(mask < "${f%.file}.$mode"); then
				echo "${f%.file}: $mode differs from file for: $*" >&2
				return 1
			fi
		done
	done
	rm -f ./*.file ./*.pipe ./*.fifo
}

mask() {
	LC_ALL=C sed -E 's#(input|item_tags|seen)=[^ ]*#\1=NAME#g; s#^(\# )[^;]* on [^;]*;#\1NAME on NAME;#; s#^meta\t.*#meta#'
}

# The u.item and u.genre of a small catalogue: 12 movies, 3 genres.
make_uitem() {
	printf 'unknown|0\nAction|1\nComedy|2\n\n' > u.genre
	awk 'BEGIN { for (i = 1; i <= 12; i++)
		printf "%d|Movie %d (19%02d)|01-Jan-19%02d||http://x/%d|%d|%d|%d\n",
			i, i, i, i, i, i % 5 == 0, i % 2, i % 3 == 0 }' > u.item
}

@test "seams: a gzip file of many members (cat a.gz b.gz, pigz, bgzip) is read whole, from a file, a pipe or a FIFO" {
	# members of about 300 KiB of text each, so they cross the reader's
	# 128 KiB buffers, and one empty member in the middle
	make_udata 400 400 > u.data
	lines=$(wc -l < u.data)
	head -n 20000 u.data | gzip -c > multi.gz
	: | gzip -c >> multi.gz
	sed -n "20001,40000p" u.data | gzip -c >> multi.gz
	tail -n +40001 u.data | gzip -c >> multi.gz
	[ "$lines" -gt 40001 ]
	ml-split -q -o tr.plain -t te.plain u.data
	ml-split -q -o tr.multi -t te.multi multi.gz
	cmp tr.plain tr.multi
	cmp te.plain te.multi
	[ "$(cat tr.multi te.multi | wc -l)" -eq "$lines" ]
	same ml-split -q -o tr.% -t te.% @multi.gz
}

@test "seams: gunzip gives the original bytes, read 1, 7, 4096 or 1 MiB at a time, of one member or many, and plain bytes as they are" {
	make_udata 300 300 > data
	head -c 70000 data | gzip -c > multi.gz
	: | gzip -c >> multi.gz
	tail -c +70001 data | gzip -9 -c >> multi.gz
	gzip -c data > one.gz
	printf '\037' > lone	# gzip's first magic byte alone is plain data
	for n in 1 7 4096 1048576; do
		"$UNIT/gunzip-check" "$n" < multi.gz > got 2> kind
		cmp data got
		[ "$(cat kind)" = gzip ]
		"$UNIT/gunzip-check" "$n" < one.gz > got
		cmp data got
		"$UNIT/gunzip-check" "$n" < data > got 2> kind
		cmp data got
		[ "$(cat kind)" = plain ]
		"$UNIT/gunzip-check" "$n" < lone > got
		cmp lone got
		: | "$UNIT/gunzip-check" "$n" > got
		[ ! -s got ]
		# cut anywhere inside, it is truncated, never a shorter success
		head -c $(( $(wc -c < multi.gz) - 9 )) multi.gz > cut.gz
		run "$UNIT/gunzip-check" "$n" < cut.gz
		[ "$status" -eq 1 ]
		[[ "$output" == *"stdin: truncated gzip data"* ]]
	done
	# a pipe that gives the first byte alone, or the next member's first
	# byte alone after a member: gzip is told by two bytes, so it waits
	# for the second (had the writer been slower, the test is only weaker)
	first=$(head -c 70000 data | gzip -c | wc -c)
	{ head -c 1 multi.gz; sleep 0.3; tail -c +2 multi.gz; } | "$UNIT/gunzip-check" 4096 > got 2> kind
	cmp data got
	[ "$(cat kind)" = gzip ]
	{ head -c $((first + 1)) multi.gz; sleep 0.3; tail -c +$((first + 2)) multi.gz; } |
		"$UNIT/gunzip-check" 4096 > got
	cmp data got
}

@test "seams: ml-split reads a pipe, a FIFO, gzip and zip from either as it reads the file" {
	make_udata 30 40 > u.data
	gzip -c u.data > u.data.gz
	printf 'userId,movieId,rating,timestamp\n' > ratings.csv
	make_udata 10 20 | awk -F'\t' '{ print $1 "," $2 "," $3 "," $4 }' >> ratings.csv
	same ml-split -q -o tr.% -t te.% @u.data
	same ml-split -q -o tr.% -t te.% @u.data.gz
	same ml-split -q --scheme random --test-fraction 0.3 -o tr.% -t te.% @ratings.csv
	same ml-split -q --scheme none -o tr.% -t te.% @u.data @ratings.csv
	need_command zip
	mkdir -p ml && cp u.data ml/ && zip -q -r ml.zip ml
	same ml-split -q -o tr.% -t te.% @ml.zip
	# the archive itself, read in place, gives the same again
	ml-split -q -o tr.zip -t te.zip ml.zip
	ml-split -q -o tr.plain -t te.plain u.data
	cmp tr.zip tr.plain
	cmp te.zip te.plain
	cat ml.zip | ml-split -q -o tr.stdin -t te.stdin -
	cmp tr.stdin tr.plain
}

@test "seams: ml-genres reads its catalogue and --genres from pipes and FIFOs as from files" {
	make_uitem
	same ml-genres -q -o it.% --vocab v.% --titles t.% --genres @u.genre @u.item
	# u.genre beside u.item in a zip archive, through a pipe too
	need_command zip
	mkdir -p ml && cp u.item u.genre ml/ && zip -q -r ml.zip ml
	same ml-genres -q -o it.% --vocab v.% --titles t.% @ml.zip
	ml-genres -q -o it.plain --vocab v.plain u.item
	cat ml.zip | ml-genres -q -o it.stdin --vocab v.stdin -
	cmp it.plain it.stdin
	cmp v.plain v.stdin
}

@test "seams: triplet-sample reads positives, --items and --seen from pipes and FIFOs" {
	make_split
	make_udata 20 30 | cut -f1,2 > seen.tsv
	same triplet-sample -q --tsv --epochs 2 --items @item-tags.tsv --seen @seen.tsv @train.tsv
	same triplet-sample -q --tsv --epochs 2 --neg pop -o t.% @train.tsv
}

@test "seams: bpr-train reads --train, --item-tags, --items, --eval, --valid, --init and streams from pipes" {
	make_split
	# the model, and the log but for its seconds
	run_train() {
		bpr-train -q "$@"
		"$UNIT/model-tables" "${@: -1}"
		cut -f1-5 log.tmp
	}
	tables() {
		for f in m.file m.pipe m.fifo; do
			"$UNIT/model-tables" "$f" > "${f%.*}-tables.${f##*.}"
		done
		rm m.file m.pipe m.fifo
	}
	same run_train --train @train.tsv --item-tags @item-tags.tsv --items @item-tags.tsv \
		--eval @test.tsv --valid @test.tsv --epochs 3 --item-dim 8 --tag-dim 4 --log log.tmp -o m.bpr
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --epochs 2 --item-dim 8 --tag-dim 4 \
		-o first.bpr
	for mode in file pipe fifo; do
		with "$mode" bpr-train -q --init @first.bpr --train @train.tsv --epochs 1 -o "m.$mode"
	done
	tables
	same cat m-tables.%
	triplet-sample -q --epochs 2 -o t.bin train.tsv
	for mode in file pipe fifo; do
		with "$mode" bpr-train -q --item-tags @item-tags.tsv --item-dim 8 --tag-dim 4 -o "m.$mode" @t.bin
	done
	tables
	same cat m-tables.%
	# --eval's AUCs on standard error are the same too
	for mode in file pipe fifo; do
		with "$mode" bpr-train --train @train.tsv --eval @test.tsv --epochs 2 --item-dim 4 \
			-o "m.$mode" 2>&1 | grep ' auc ' > "auc.$mode"
	done
	[ -s auc.file ]
	rm m.file m.pipe m.fifo
	same cat auc.%
}

@test "seams: bpr-score reads -m, --exclude, --titles, --vocab and standard input from pipes" {
	make_model
	printf '0\tgenre zero\n1\tgenre one\n' > vocab.tsv
	same bpr-score -m @model.bpr --top 5 --all-users --exclude @train.tsv --titles @titles.tsv
	same bpr-score -m @model.bpr --dump items
	same bpr-score -m @model.bpr --map tags --vocab @vocab.tsv
	same bpr-score -m @model.bpr --similar-items 3 --titles @titles.tsv
	head -20 test.tsv > pairs.tsv
	for mode in file pipe fifo; do
		with "$mode" bpr-score -m @model.bpr < pairs.tsv > "s.$mode"
	done
	same cat s.%
}

@test "seams: auc reads -m, --exclude, the test file and --scores from pipes and FIFOs" {
	make_model
	same auc -m @model.bpr --exclude @train.tsv -k 5 --per-user pu.% @test.tsv
	same auc -m @model.bpr --items @titles.tsv @test.tsv
	bpr-score -m model.bpr --top 20 --all-users | cut -f1,3,4 > scores.tsv
	same auc --scores @scores.tsv --exclude @train.tsv -k 5 @test.tsv
}

@test "seams: an output that names an input, however spelled, is refused before anything is read" {
	make_model
	make_udata 5 5 > u.data
	ln -s out.tsv link.tsv
	ln out.tsv hard.tsv 2>/dev/null || true
	printf 'OLD\n' > out.tsv
	for spelling in out.tsv ./out.tsv "$PWD/out.tsv" link.tsv "../${PWD##*/}/out.tsv"; do
		bad 2 "would replace the input" auc -m model.bpr --per-user "$spelling" out.tsv
		bad 2 "would replace the input" ml-split -o "$spelling" -t out2.tsv out.tsv
		bad 2 "would replace the input" bpr-train --train out.tsv --log "$spelling" -o m2.bpr
		bad 2 "would replace the input" bpr-train --train train.tsv --eval out.tsv -o "$spelling"
		bad 2 "would replace the input" ml-genres --vocab "$spelling" -o x.tsv out.tsv
		bad 2 "would replace the input" triplet-sample --items out.tsv -o "$spelling" train.tsv
		bad 2 "would replace the input" auc -m model.bpr --exclude out.tsv --per-user "$spelling" test.tsv
		bad 2 "would replace the input" auc -m out.tsv --per-user "$spelling" test.tsv
	done
	no_file m2.bpr
	no_file x.tsv
	# standard output that is an input file
	cp test.tsv t2.tsv
	run --separate-stderr bash -c 'auc -m model.bpr t2.tsv >> t2.tsv'
	[ "$status" -eq 2 ]
	[[ "$stderr" == "auc: standard output is the input t2.tsv (the test file)"* ]]
	cmp t2.tsv test.tsv
	# the checkpoints bpr-train writes are outputs too
	bad 2 'out2.tsv.epoch1 is a name of the checkpoints' bpr-train --train train.tsv --epochs 1 \
		--checkpoint-every 1 --log out2.tsv.epoch1 -o out2.tsv
	cp model.bpr m.bpr.epoch3
	bad 2 'm.bpr.epoch3 is a name of the checkpoints' bpr-train --train train.tsv --epochs 1 \
		--checkpoint-every 1 --eval m.bpr.epoch3 -o m.bpr
	cmp model.bpr m.bpr.epoch3
	# resuming from an earlier checkpoint writes only later ones: allowed
	bpr-train -q --train train.tsv --epochs 2 --checkpoint-every 1 --item-dim 4 -o r.bpr
	bpr-train -q --init r.bpr.epoch1 --train train.tsv --epochs 1 --checkpoint-every 1 -o r.bpr
	[ -f r.bpr.epoch2 ]
	# but not one the run would write again
	cp r.bpr.epoch1 r.bpr.epoch9
	bad 2 'r.bpr.epoch9 is a name of the checkpoints' bpr-train --init r.bpr.epoch9 \
		--train train.tsv --epochs 1 --checkpoint-every 1 -o r.bpr
}

@test "seams: two outputs that are one file, standard input read twice, empty names: usage errors" {
	make_model
	bad 2 '-o and -t are the same file' ml-split -o out.tsv -t ./out.tsv train.tsv
	ln -s out2.tsv l2
	bad 2 '-o and --vocab are the same file' ml-genres -o out2.tsv --vocab l2 titles.tsv
	bad 2 'both read standard input' auc -m model.bpr --exclude - -
	bad 2 'both read standard input' bpr-score -m - --top 3
	bad 2 '-o: an empty file name' ml-split -t out.tsv -o "" train.tsv
	bad 2 '-t: an empty file name' ml-split -o out.tsv -t "" train.tsv
	bad 2 '-o: an empty file name' ml-genres -o "" titles.tsv
	bad 2 '-o: an empty file name' triplet-sample -o "" train.tsv
	bad 2 '-o: an empty file name' bpr-train --train train.tsv -o ""
	bad 2 '--log: an empty file name' bpr-train --train train.tsv --log "" -o out.tsv
	bad 2 '--per-user: an empty file name' auc -m model.bpr --per-user "" test.tsv
	bad 2 'the test file: an empty file name' auc -m model.bpr ""
	bad 2 '--exclude: an empty file name' auc -m model.bpr --exclude "" test.tsv
	bad 2 '-m: an empty file name' bpr-score -m "" --dump users
}

@test "seams: one FIFO or pipe named by two inputs is a usage error, not a hang or an empty second read" {
	make_model
	mkfifo p
	# nothing writes to p: a tool that opened it would wait, and timeout would end it (status 124)
	bad 2 '--items p and --item-tags p are one pipe: it can be read once' \
		timeout 20 als-train --train train.tsv --items p --item-tags p -o a.bpr
	bad 2 '--item-tags p and --items p are one pipe: it can be read once' \
		timeout 20 bpr-train --train train.tsv --items p --item-tags p -o b.bpr
	bad 2 '--exclude p and the test file p are one pipe: it can be read once' \
		timeout 20 auc -m model.bpr --exclude p p
	# one pipe under two names: standard input and /dev/stdin
	run bash -c 'cat item-tags.tsv | timeout 20 triplet-sample --items /dev/stdin - > /dev/null'
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"are one pipe: it can be read once"* ]]
	[ ! -e a.bpr ] && [ ! -e b.bpr ]
	# the same regular file named twice is read twice, as before
	bpr-train -q --train train.tsv --items item-tags.tsv --item-tags item-tags.tsv --epochs 1 -o c.bpr
}

@test "seams: closed standard output or input is a usage error, found before any input is read" {
	make_udata 20 30 > u.data
	mkfifo never
	# the FIFO has no writer: reading it would wait for ever
	run timeout 10 bash -c 'ml-split -t t.tsv never >&-'
	[ "$status" -eq 2 ]
	[[ "$output" == "ml-split: -o: standard output is closed"* ]]
	no_file t.tsv
	run timeout 10 bash -c 'ml-genres never >&-'
	[ "$status" -eq 2 ]
	run timeout 10 bash -c 'auc --scores never never >&-'
	[ "$status" -eq 2 ]
	run timeout 10 bash -c 'bpr-train --train never -o "" 2>&1'
	[ "$status" -eq 2 ]
	run timeout 10 bash -c 'triplet-sample -o t.bin - <&- 2>&1'
	[ "$status" -eq 2 ]
	[[ "$output" == "triplet-sample: the positives: standard input is closed"* ]]
	# an output that is not standard output is written though stdout is closed
	ml-split -q -o a.tsv -t b.tsv u.data >&-
	[ -s a.tsv ] && [ -s b.tsv ]
}

@test "seams: a replaced output keeps its mode; a link is followed and stays a link" {
	make_udata 5 5 > u.data
	printf 'OLD\n' > private.tsv
	chmod 600 private.tsv
	printf 'OLD\n' > shared.tsv
	chmod 664 shared.tsv
	make_udata 20 30 > u.data
	ml-split -q -o private.tsv -t shared.tsv u.data
	[ "$(stat -c %a private.tsv)" = 600 ]
	[ "$(stat -c %a shared.tsv)" = 664 ]
	[ "$(wc -l < private.tsv)" -gt 1 ]
	# a new file takes the umask's mode
	(umask 077 && ml-split -q -o new.tsv -t new2.tsv u.data)
	[ "$(stat -c %a new.tsv)" = 600 ]
	# a symbolic link: the target is replaced, atomically, and the link kept
	mkdir -p store
	printf 'OLD\n' > store/train.tsv
	ln -s store/train.tsv link.tsv
	ln -s store/missing.tsv dangling.tsv
	ml-split -q -o link.tsv -t dangling.tsv u.data
	[ -L link.tsv ] && [ -L dangling.tsv ]
	[ "$(wc -l < store/train.tsv)" -gt 1 ]
	[ -s store/missing.tsv ]
	ls -A store | not grep -q '^\.'
	ln -s loop1 loop2
	ln -s loop2 loop1
	bad 1 'too many levels of symbolic links' ml-split -o loop1 -t out.tsv u.data
}

@test "seams: root replacing another's output keeps its owner and group, either differing" {
	[ "$(id -u)" -eq 0 ] || skip "needs root, to own files as another user"
	make_udata 20 30 > u.data
	printf 'OLD\n' > theirs.tsv
	printf 'OLD\n' > group.tsv
	chown 1234:0 theirs.tsv
	chown 0:1234 group.tsv
	chmod 640 theirs.tsv group.tsv
	ml-split -q -o theirs.tsv -t group.tsv u.data
	[ "$(stat -c %u:%g:%a theirs.tsv)" = 1234:0:640 ]
	[ "$(stat -c %u:%g:%a group.tsv)" = 0:1234:640 ]
	[ "$(wc -l < theirs.tsv)" -gt 1 ]
}

@test "seams: a file only its owner could write is refused, as the shell's > refuses it" {
	need_command setpriv
	[ "$(id -u)" -eq 0 ] || skip "needs root, to run as another user"
	make_udata 5 5 > u.data
	mkdir -p shared && chmod 1777 shared && cp u.data shared/
	printf 'OLD\n' > shared/readonly.tsv
	chmod 444 shared/readonly.tsv
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BIN/ml-split" -o shared/readonly.tsv -t shared/t.tsv shared/u.data
	[ "$status" -eq 1 ]
	[[ "$output" == *"shared/readonly.tsv: cannot write: Permission denied"* ]]
	[ "$(cat shared/readonly.tsv)" = OLD ]
	ls -A shared | not grep -q '^\.'
}

@test "seams: an output name of 250 and of 255 bytes works; a 1 MiB line is an error, not a memory sink" {
	make_udata 5 5 > u.data
	long=$(printf 'x%.0s' $(seq 250))
	longest=$(printf 'y%.0s' $(seq 255))
	ml-split -q -o "$long" -t "$longest" u.data
	[ -s "$long" ] && [ -s "$longest" ]
	ml-split -q -o "$long" -t "$longest" u.data
	ls -A | not grep -q '^\.'
	{ make_udata 2 2; head -c 1100000 /dev/zero | tr '\0' 1; printf '\n'; } | gzip -c > long.gz
	line=$(( $(make_udata 2 2 | wc -l) + 1 ))
	bad 1 "long.gz:$line: a line longer than 1048576 bytes" ml-split -o out.tsv -t out2.tsv long.gz
}

@test "seams: SIGINT at 20 moments of training and saving a 30 MB model leaves the old or the new one" {
	# 50,000 users: user vectors and Adagrad sums of 96 floats make 39 MB
	awk 'BEGIN { for (u = 1; u <= 50000; u++) for (k = 0; k < 3; k++)
		print u "\t" (u * 7 + k * 13) % 500 + 1 }' > big.tsv
	set -- -q --train big.tsv --epochs 1 --hard 1 --item-dim 96 --tag-dim 0 --optimizer adagrad
	bpr-train "$@" --seed 1 -o old.bpr
	bpr-train "$@" --seed 2 -o new.bpr
	[ "$(stat -c %s new.bpr)" -ge 30000000 ]
	# when the save starts (its temporary file appears) and when the run ends
	start=$EPOCHREALTIME saving=
	bpr-train "$@" --seed 2 -o probe.bpr &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		[ -z "$saving" ] && compgen -G '.probe.bpr.*' > /dev/null && saving=$EPOCHREALTIME
	done
	end=$EPOCHREALTIME
	wait "$pid"
	[ -n "$saving" ]
	old=0 new=0
	for k in $(seq 1 20); do
		# ten moments spread over training, ten over saving
		at=$(awk -v s="$start" -v m="$saving" -v e="$end" -v k="$k" 'BEGIN {
			t = k <= 10 ? (m - s) * k / 11 : (m - s) + (e - m) * (k - 10) / 11
			printf "%.4f", t }')
		cp old.bpr m.bpr
		bpr-train "$@" --seed 2 -o m.bpr &
		pid=$!
		sleep "$at"
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" || true
		if ls -A | grep '^\.m\.bpr\.'; then
			echo "moment $k ($at s): a temporary file was left" >&2
			return 1
		fi
		if cmp -s m.bpr old.bpr; then
			old=$((old + 1))
		elif cmp -s m.bpr new.bpr; then
			new=$((new + 1))
		else
			echo "moment $k ($at s): m.bpr is neither the old nor the new model" >&2
			return 1
		fi
	done
	awk -v s="$start" -v m="$saving" -v e="$end" -v o="$old" -v n="$new" 'BEGIN {
		printf "# training %.0f ms, saving %.0f ms; 20 interruptions left the old model %d times, the new %d\n",
			(m - s) * 1000, (e - m) * 1000, o, n }' >&3
	[ "$old" -gt 0 ]
}

@test "seams: a file of ratings where positives are expected is named, with its counts and the remedy" {
	make_udata 20 30 > u.data
	ml-split -q --scheme leave-out --test-count 3 -o tr.tsv -t te.tsv u.data
	rows=$(wc -l < tr.tsv)
	low=$(awk -F'\t' '$3 < 4' tr.tsv | wc -l)
	[ "$low" -gt 0 ]
	msg="tr.tsv: $rows of its $rows rows carry a star rating, $low of them below 4, and every row is taken as a positive"
	run --separate-stderr triplet-sample -q -o t.bin tr.tsv
	[ "$stderr" = "triplet-sample: $msg: to keep only the liked ones, split with ml-split --min-rating 4" ]
	run --separate-stderr bpr-train -q --train tr.tsv --epochs 1 -o m.bpr
	[[ "$stderr" == "bpr-train: $msg"* ]]
	run --separate-stderr auc -m m.bpr --exclude tr.tsv te.tsv
	[[ "$stderr" == "auc: te.tsv: $(wc -l < te.tsv) of its $(wc -l < te.tsv) rows carry a star rating, $(awk -F'\t' '$3 < 4' te.tsv | wc -l) of them below 4"* ]]
	# the liked ones alone, or pairs without ratings: nothing to say
	ml-split -q --scheme leave-out --test-count 3 --min-rating 4 -o liked.tsv -t liked-te.tsv u.data
	run --separate-stderr triplet-sample -q -o t.bin liked.tsv
	[ -z "$stderr" ]
	cut -f1,2 tr.tsv > pairs.tsv
	run --separate-stderr triplet-sample -q -o t.bin pairs.tsv
	[ -z "$stderr" ]
	# a star rating is 0 to 5 in halves, written as ml-100k or ml-latest write them
	awk -F'\t' '{ split("0 0.5 1.0 2 3.5 4 4.0 4.5 5 5.0 5.5 6 17 3.25 4.50 -1 abc", v, " ")
		print $1 "\t" $2 "\t" v[NR % 17 + 1] }' pairs.tsv > mixed.tsv
	rated=$(awk -F'\t' '$3 ~ /^[0-5](\.[05])?$/ && $3 + 0 <= 5' mixed.tsv | wc -l)
	low=$(awk -F'\t' '$3 ~ /^[0-5](\.[05])?$/ && $3 + 0 < 4' mixed.tsv | wc -l)
	run --separate-stderr triplet-sample -q -o t.bin mixed.tsv
	[[ "$stderr" == "triplet-sample: mixed.tsv: $rated of its $rows rows carry a star rating, $low of them below 4,"* ]]
}

@test "seams: the same data through <(cat file) gives the same bytes as the file, streams and models alike" {
	make_split 30 40
	triplet-sample -q --epochs 2 --seed 1 --items item-tags.tsv train.tsv > a.bin
	triplet-sample -q --epochs 2 --seed 1 --items <(cat item-tags.tsv) <(cat train.tsv) > b.bin
	cmp a.bin b.bin
	triplet-sample -q --tsv --epochs 1 --seed 1 train.tsv > a.tsv
	triplet-sample -q --tsv --epochs 1 --seed 1 <(cat train.tsv) > b.tsv
	cmp a.tsv b.tsv
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --epochs 2 -o a.bpr
	bpr-train -q --train <(cat train.tsv) --item-tags <(cat item-tags.tsv) --epochs 2 -o b.bpr
	cmp a.bpr b.bpr
	# the catalogue --item-tags implies is read once: the model has all its items
	[ "$(bpr-score -m b.bpr --dump items | wc -l)" -eq "$(cut -f1 item-tags.tsv | sort -u | wc -l)" ]
}
