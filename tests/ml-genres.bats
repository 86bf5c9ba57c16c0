#!/usr/bin/env bats
# ml-genres: item-tag pairs, vocabulary and UTF-8 titles from all layouts.

load helpers

@test "ml-genres: every genre of ml-100k's u.item comes out (the issue's command line)" {
	need_ml100k
	cp "$ML100K/u.item" "$ML100K/u.genre" .
	ml-genres --vocab tags.tsv --titles titles.tsv u.item > item-tags.tsv
	# an independent count: the 1s in u.item's 19 genre columns
	expected=$(awk -F'|' '{ for (g = 6; g <= NF; g++) n += $g } END { print n }' u.item)
	[ "$expected" -eq 2893 ]
	[ "$(wc -l < item-tags.tsv)" -eq "$expected" ]
	[ "$(wc -l < tags.tsv)" -eq 19 ]
	[ "$(head -1 tags.tsv)" = "$(printf '0\tunknown')" ]
	[ "$(wc -l < titles.tsv)" -eq 1682 ]
}

@test "ml-genres: u.item tag ids are u.genre's ids, and 0 (unknown) is a real genre" {
	need_ml100k
	ml-genres -q "$ML100K/u.item" > pairs.tsv
	# item 267 is the one movie whose only genre is "unknown"
	[ "$(awk -F'\t' '$1 == 267' pairs.tsv)" = "$(printf '267\t0')" ]
	# Toy Story (1): Animation 3, Children's 4, Comedy 5
	[ "$(awk -F'\t' '$1 == 1 { printf "%s ", $2 }' pairs.tsv)" = "3 4 5 " ]
}

@test "ml-genres: u.item's Latin-1 titles come out as UTF-8" {
	need_ml100k
	ml-genres -q --titles titles.tsv "$ML100K/u.item" > /dev/null
	iconv -f UTF-8 -t UTF-8 titles.tsv > /dev/null
	grep -q $'^543\tMis\xc3\xa9rables, Les (1995)$' titles.tsv
}

@test "ml-genres: reads u.item and u.genre straight from the GroupLens zip" {
	need_ml100k
	need_command zip
	mkdir ml-100k
	cp "$ML100K/u.item" "$ML100K/u.genre" ml-100k/
	zip -q -r ml-100k.zip ml-100k
	ml-genres -q --vocab v1 "$ML100K/u.item" > p1
	ml-genres -q --vocab v2 ml-100k.zip > p2
	cmp p1 p2
	cmp v1 v2
}

@test "ml-genres: ml-latest-small movies.csv (quoted titles with commas) has every movie" {
	need_file "$DATA/ml-latest-small/movies.csv"
	f="$DATA/ml-latest-small/movies.csv"
	run --separate-stderr ml-genres --vocab v.tsv --titles t.tsv "$f"
	[ "$status" -eq 0 ]
	movies=$(grep -c '^[0-9]' "$f")
	[ "$(wc -l < t.tsv)" -eq "$movies" ]
	[[ "$stderr" == *"$movies items"* ]]
	grep -q $'^29\tCity of Lost Children, The (Cit\xc3\xa9 des enfants perdus, La) (1995)$' t.tsv
	# every genre name of the file is in the vocabulary
	expected=$(tail -n +2 "$f" | tr -d '\r' | awk -F, '{ print $NF }' | tr '|' '\n' | grep -v '^$' | sort -u | wc -l)
	[ "$(wc -l < v.tsv)" -eq "$expected" ]
}

@test "ml-genres: movies.dat layout" {
	printf '1::Toy Story (1995)::Animation|Children'"'"'s|Comedy\n2::Jumanji (1995)::Adventure|Fantasy\n' > movies.dat
	ml-genres -q --vocab v.tsv --titles t.tsv movies.dat > p.tsv
	[ "$(cat v.tsv)" = "$(printf "0\tAdventure\n1\tAnimation\n2\tChildren's\n3\tComedy\n4\tFantasy")" ]
	[ "$(cat p.tsv)" = "$(printf '1\t1\n1\t2\n1\t3\n2\t0\n2\t4')" ]
	[ "$(cat t.tsv)" = "$(printf '1\tToy Story (1995)\n2\tJumanji (1995)')" ]
}

@test "ml-genres: --vocab on u.item without u.genre says where to get names" {
	printf '1|A (1995)|01-Jan-1995||http://x|0|1\n' > u.item
	bad 1 'u.genre' ml-genres --vocab out.tsv u.item
	ml-genres -q u.item > p.tsv
	[ "$(cat p.tsv)" = "$(printf '1\t1')" ]
}

@test "ml-genres: titles that are UTF-8 stay as they are; other bytes are read as Latin-1" {
	# 2-, 3- and 4-byte UTF-8 characters; then a Latin-1 byte, and an overlong
	# encoding of "/" and an encoded surrogate, neither of them UTF-8
	printf '1::Am\xc3\xa9lie (2001)::Comedy\n2::\xe5\x8d\x83 (2001)::Animation\n3::\xf0\x9f\x98\x80 (2020)::Comedy\n' > movies.dat
	printf '4::Caf\xe9 (1990)::Drama\n5::A\xc0\xafB (1991)::Drama\n6::\xed\xa0\x80 (1992)::Drama\n' >> movies.dat
	ml-genres -q --titles t.tsv movies.dat > /dev/null
	iconv -f UTF-8 -t UTF-8 t.tsv > /dev/null
	[ "$(sed -n 1p t.tsv)" = "$(printf '1\tAm\xc3\xa9lie (2001)')" ]
	[ "$(sed -n 2p t.tsv)" = "$(printf '2\t\xe5\x8d\x83 (2001)')" ]
	[ "$(sed -n 3p t.tsv)" = "$(printf '3\t\xf0\x9f\x98\x80 (2020)')" ]
	[ "$(sed -n 4p t.tsv)" = "$(printf '4\tCaf\xc3\xa9 (1990)')" ]
	[ "$(sed -n 5p t.tsv)" = "$(printf '5\tA\xc3\x80\xc2\xafB (1991)')" ]
	[ "$(sed -n 6p t.tsv)" = "$(printf '6\t\xc3\xad\xc2\xa0\xc2\x80 (1992)')" ]
}

