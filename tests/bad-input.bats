#!/usr/bin/env bats
# Bad input, one case a line: expected exit status, what stderr must name,
# and the command. `bad` also checks that out.tsv and out2.tsv keep their
# old contents and that no temporary file is left behind.

load helpers

split() { ml-split -o out.tsv -t out2.tsv "$@"; }

# --- ml-split: data errors (exit 1, file:line named) ---
@test "ml-split: malformed line"              { printf '1\t2\t3\t4\n1 2 3 4\n' > in; bad 1 '^ml-split: in:2: ' split in; }
@test "ml-split: wrong field count"           { printf '1\t2\t3\t4\n1\t2\t3\n' > in; bad 1 'in:2: 3 fields, expected 4' split in; }
@test "ml-split: non-numeric user id"         { printf '1\t2\t3\t4\nx\t2\t3\t4\n' > in; bad 1 "in:2: user id 'x' is not" split in; }
@test "ml-split: negative item id"            { printf '1\t-2\t3\t4\n' > in; bad 1 "in:1: item id '-2' is negative" split in; }
@test "ml-split: id beyond 2^31-1"            { printf '2147483648\t2\t3\t4\n' > in; bad 1 'in:1: user id .* beyond the largest id 2147483647' split in; }
@test "ml-split: id 2^31-1 is fine"           { printf '2147483647\t2\t3\t4\n' > in; ml-split -q --scheme none -o ok.tsv in; [ "$(cut -f1 ok.tsv)" = 2147483647 ]; }
@test "ml-split: rating out of range"         { printf '1\t2\t7\t4\n' > in; bad 1 'in:1: rating 7 is out of range' split in; }
@test "ml-split: NaN rating"                  { printf '1\t2\tnan\t4\n' > in; bad 1 "in:1: rating 'nan' is not a number" split in; }
@test "ml-split: non-numeric timestamp"       { printf '1\t2\t3\t12:00\n' > in; bad 1 "in:1: timestamp '12:00'" split in; }
@test "ml-split: empty input"                 { : > in; bad 1 'in: is empty' split in; }
@test "ml-split: only blank lines"            { printf '\n  \n\t\n' > in; bad 1 'in:1: cannot tell the ratings layout' split in; }
@test "ml-split: missing file"                { bad 1 'nope.data: cannot open' split nope.data; }
@test "ml-split: truncated .gz"               { make_udata 50 50 | gzip -c > full.gz; head -c 400 full.gz > in.gz; bad 1 'in.gz: truncated gzip' split in.gz; }
@test "ml-split: corrupt .gz"                 { make_udata 50 50 | gzip -c > in.gz; printf 'XXXX' | dd of=in.gz bs=1 seek=200 conv=notrunc 2>/dev/null; bad 1 'in.gz: (corrupt|truncated) gzip' split in.gz; }
@test "ml-split: bytes after a gzip member that are no member are an error, not the end" {
	# what zlib's gzread drops without a word: a damaged header of the
	# second member, plain text appended, and trailing zeros
	make_udata 50 50 > u.data
	head -n 100 u.data | gzip -c > one.gz
	tail -n +101 u.data | gzip -c > two.gz
	cat one.gz two.gz > in.gz
	printf '\000' | dd of=in.gz bs=1 seek="$(wc -c < one.gz)" conv=notrunc 2>/dev/null
	bad 1 'in.gz: the bytes after gzip member 1 are not a gzip member' split in.gz
	cat one.gz two.gz > in.gz
	tail -n 3 u.data >> in.gz
	bad 1 'in.gz: the bytes after gzip member 2 are not a gzip member' split in.gz
	cat one.gz > in.gz
	head -c 512 /dev/zero >> in.gz
	bad 1 'in.gz: the bytes after gzip member 1 are not a gzip member' split in.gz
	# one byte more is as wrong as many
	cat one.gz two.gz > in.gz
	printf 'x' >> in.gz
	cat in.gz | bad 1 'stdin: the bytes after gzip member 2 are not a gzip member' split -
}
@test "ml-split: .zip without the member"     { need_command zip; printf 'x\n' > readme; zip -q in.zip readme; bad 1 'in.zip: the archive has no member named u.data or ratings.dat or ratings.csv' split in.zip; }
@test "ml-split: truncated .zip"              { need_command zip; make_udata 50 50 > u.data; zip -q full.zip u.data; head -c 300 full.zip > in.zip; bad 1 'in.zip: not a zip archive, or truncated' split in.zip; }
@test "ml-split: zip64 without its locator"   { need_command zip; make_udata 50 50 > u.data; zip -q -fz in.zip u.data; at=$(grep -obaP 'PK\x06\x07' in.zip | cut -d: -f1); printf 'XXXX' | dd of=in.zip bs=1 seek="$at" conv=notrunc 2>/dev/null; bad 1 'in.zip: corrupt zip64 archive \(no zip64 end record locator\)' split in.zip; }
@test "ml-split: zip64 end record misplaced"  { need_command zip; make_udata 50 50 > u.data; zip -q -fz in.zip u.data; at=$(grep -obaP 'PK\x06\x06' in.zip | cut -d: -f1); printf 'XXXX' | dd of=in.zip bs=1 seek="$at" conv=notrunc 2>/dev/null; bad 1 'in.zip: corrupt zip64 archive \(bad zip64 end record\)' split in.zip; }
@test "ml-split: bzip2, xz, zstd and gzip inside gzip are named" {
	printf 'BZh91AY&SY\001\002' > in; bad 1 'in: is bzip2-compressed \(only gzip is undone here: bunzip2 it first\), not ratings' split in
	printf '\3757zXZ\000\001' > in; bad 1 'in: is xz-compressed \(.*unxz it first\)' split in
	printf '\050\265\057\375\001' > in; bad 1 'in: is zstd-compressed \(.*unzstd it first\)' split in
	make_udata 5 5 | gzip -c | gzip -c > in; bad 1 'in: is gzip-compressed inside a gzip or zip \(one layer is undone here: undo the other first\), not ratings' split in
	make_positives 5 5 | gzip -c | gzip -c > in; bad 1 'in: is gzip-compressed inside a gzip or zip .*, not a triplet stream' bpr-train -o out.tsv in
	printf 'BZh91AY&SY\001' > t.bin; bad 1 't.bin: is bzip2-compressed .*, not a triplet stream' bpr-train -o out.tsv t.bin
	# text that merely starts like bzip2 is text
	printf 'BZh\t2\t3\t4\n' > in; bad 1 "in:1: user id 'BZh' is not" split in
}
@test "ml-split: csv unterminated quote"      { printf 'userId,movieId,rating,timestamp\n1,2,3,4\n"1,2,3,4\n1,2,3,4\n' > in.csv; bad 1 'in.csv:3: unterminated quoted field' split in.csv; }
@test "ml-split: csv stray quote"             { printf 'userId,movieId,rating,timestamp\n1,2"x,3,4\n' > in.csv; bad 1 'in.csv:2: malformed CSV' split in.csv; }
@test "ml-split: a triplet stream given as ratings" { make_positives 5 5 > p.tsv; triplet-sample -q -o t.bin p.tsv; bad 1 't.bin: is a binary triplet stream, not ratings' split t.bin; }
@test "ml-split: binary garbage"              { head -c 2000 /dev/urandom | tr -d '\n' | tr '\001' '\000' > in; printf '\000' >> in; bad 1 'in(:1)?: (is binary data|contains a NUL|cannot tell)' split in; }

# --- ml-split: usage errors (exit 2, option named) ---
@test "ml-split: unknown scheme"              { bad 2 '--scheme bogus: unknown \(expected allbut, fold, random, leave-out, temporal or none\)' split --scheme bogus x; }
@test "ml-split: fold without --fold"         { bad 2 '--scheme fold needs --fold' split --scheme fold x; }
@test "ml-split: fold beyond folds"           { bad 2 '--fold 6 is beyond --folds 5' split --scheme fold --fold 6 x; }
@test "ml-split: option for another scheme"   { bad 2 '--fold does not apply to --scheme random' split --scheme random --test-fraction 0.1 --fold 2 x; }
@test "ml-split: fraction out of range"       { bad 2 '--test-fraction 1.5 is out of range' split --scheme random --test-fraction 1.5 x; }
@test "ml-split: bad test range"              { bad 2 "--test-range '1-10' is not a range" split --test-range 1-10 x; }
@test "ml-split: no input"                    { bad 2 'no ratings file given' split; }
@test "ml-split: no test output"              { bad 2 'no test output given' ml-split -o out.tsv x; }
@test "ml-split: unknown option"              { bad 2 'unrecognized option' split --bogus x; }
@test "ml-split: usage error prints usage"    { run --separate-stderr ml-split --bogus; [ "$status" -eq 2 ]; [[ "$stderr" == *"usage: ml-split"* ]]; [ -z "$output" ]; }

# --- ml-genres ---
@test "ml-genres: genre flag not 0/1"         { printf '1|A|d||u|0|2\n' > u.item; bad 1 "u.item:1: genre column 1 is '2'" ml-genres -o out.tsv u.item; }
@test "ml-genres: ragged u.item"              { printf '1|A|d||u|0|1\n2|B|d||u|0\n' > u.item; bad 1 'u.item:2: 6 fields, expected 7' ml-genres -o out.tsv u.item; }
@test "ml-genres: duplicated item"            { printf '1::A::Drama\n1::B::Comedy\n' > m.dat; bad 1 'm.dat:2: item 1 appears twice' ml-genres -o out.tsv m.dat; }
@test "ml-genres: csv unterminated quote"     { printf 'movieId,title,genres\n1,"Heat (1995),Action\n' > m.csv; bad 1 'm.csv:2: unterminated quoted field' ml-genres -o out.tsv m.csv; }
@test "ml-genres: csv wrong field count"      { printf 'movieId,title,genres\n1,Heat,Action,x\n' > m.csv; bad 1 'm.csv:2: 4 fields, expected 3' ml-genres -o out.tsv m.csv; }
@test "ml-genres: empty file"                 { : > m.csv; bad 1 'm.csv: is empty' ml-genres -o out.tsv m.csv; }
@test "ml-genres: two files"                  { bad 2 'one catalogue file only' ml-genres -o out.tsv a b; }

# --- triplet-sample ---
@test "triplet-sample: one field"             { printf '1\t2\n3\n' > p; bad 1 'p:2: 1 field, expected at least 2' triplet-sample -o out.tsv p; }
@test "triplet-sample: non-numeric item"      { printf '1\tx\n' > p; bad 1 "p:1: item id 'x' is not" triplet-sample -o out.tsv p; }
@test "triplet-sample: empty input"           { : > p; bad 1 'p: is empty' triplet-sample -o out.tsv p; }
@test "triplet-sample: only comments"         { printf '# nothing\n' > p; bad 1 'p: no interactions' triplet-sample -o out.tsv p; }
@test "triplet-sample: a triplet stream as input" { make_positives 5 5 > p.tsv; triplet-sample -q --tsv -o t.tsv p.tsv; bad 1 't.tsv: is a TSV triplet stream, not interactions' triplet-sample -o out.tsv t.tsv; }
@test "triplet-sample: bad --neg"             { bad 2 '--neg pop:x: unknown mode' triplet-sample -o out.tsv --neg pop:x p; }
@test "triplet-sample: zero epochs"           { bad 2 '--epochs 0 is out of range' triplet-sample -o out.tsv --epochs 0 p; }
@test "triplet-sample: huge epochs"           { bad 2 '--epochs 1000001 is out of range' triplet-sample -o out.tsv --epochs 1000001 p; }
@test "triplet-sample: negative seed"         { bad 2 "--seed '-1' is negative" triplet-sample -o out.tsv --seed -1 p; }
@test "triplet-sample: bad --items"           { printf '1\t2\n' > p; printf 'x\ty\n' > items; bad 1 "items:1: id 'x' is not" triplet-sample -o out.tsv --items items p; }

# --- output side ---
@test "every tool: writing to /dev/full fails with status 1" {
	make_udata 5 5 > u.data
	run --separate-stderr ml-split --scheme none -o /dev/full u.data
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"/dev/full: write error: No space left on device"* ]]
	run --separate-stderr triplet-sample --tsv -o /dev/full u.data
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"/dev/full: write error"* ]]
}

@test "every tool: an output it cannot create is refused before any input is read" {
	# every input is missing: the error must be about the output
	cant() {
		run --separate-stderr "$@"
		[ "$status" -eq 1 ]
		[[ "$stderr" == "$1: nodir/"*": cannot create: No such file or directory"* ]]
	}
	cant ml-split -o nodir/a -t b missing.data
	cant ml-split -o a -t nodir/b missing.data
	cant triplet-sample -o nodir/t.bin missing.tsv
	cant ml-genres -o nodir/it.tsv missing.item
	cant ml-genres -o it.tsv --vocab nodir/v.tsv missing.item
	cant ml-genres -o it.tsv --titles nodir/t.tsv missing.item
	cant bpr-train --train missing.tsv -o nodir/m.bpr
	cant bpr-train --train missing.tsv --log nodir/log.tsv -o m.bpr
	cant auc -m missing.bpr --per-user nodir/u.tsv missing.tsv
	# nothing written, no temporary file left (bats keeps its own files here)
	ls -A | not grep -v '^separate-stderr-'
}

@test "every tool: two outputs that are one file are refused, however spelled" {
	make_udata 5 5 > u.data
	here=${PWD##*/}
	same() {
		run --separate-stderr "$@"
		[ "$status" -eq 2 ]
		[[ "$stderr" == "$1: "*" are the same file: "* ]]
	}
	same ml-split -o a.tsv -t ./a.tsv u.data
	same ml-split -o - -t - u.data
	same ml-genres --vocab v.tsv --titles "../$here/v.tsv" u.item
	same ml-genres -o "$PWD/v.tsv" --titles v.tsv u.item
	same bpr-train --train u.data --log m.bpr -o m.bpr
	ls -A | not grep -v '^separate-stderr-\|^u.data$'
	# devices may be shared
	ml-split -q -o /dev/null -t /dev/null u.data
}

@test "every tool: --help goes to stdout with status 0, --version too" {
	for t in ml-split ml-genres triplet-sample; do
		run --separate-stderr "$t" --help
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[[ "$output" == "usage: $t"* ]]
		run --separate-stderr "$t" --version
		[ "$status" -eq 0 ]
		[[ "$output" == "$t (bprtools) "* ]]
	done
}

@test "every tool: reading a terminal says so" {
	need_command script
	run script -qec "$BIN/ml-split -o x -t y -" /dev/null
	[[ "$output" == *"standard input is a terminal"* ]]
}
