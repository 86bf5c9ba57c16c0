#!/usr/bin/env bats
# lib/io/parse.c's numbers against the C library's: every number a tool
# reads (ratings, timestamps, scores, ids) and every one it writes.

load helpers

@test "parse: numbers are read as strtod, strtoll and strtoull read them, and written back exactly and short" {
	run "$UNIT/parse-check" 200000
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *", 0 disagreements" ]]
}
