#!/usr/bin/env bats
# lib/data/sort.c's id sort (insertion sort for short runs, byte radix for long
# ones) against sort(1), over the sizes and ranges where its paths differ.

load helpers

# ids N MAX SEED ORDER: N ids below MAX (random, ascending or descending), plus 0 and MAX
ids() {
	awk -v n="$1" -v max="$2" -v s="$3" -v order="$4" 'BEGIN {
		srand(s)
		for (i = 0; i < n; i++) {
			if (order == "up") v = int(i * max / (n + 1))
			else if (order == "down") v = int((n - i) * max / (n + 1))
			else v = int(rand() * max)
			printf "%.0f\n", v
		}
		if (n > 2) { printf "%.0f\n0\n", max }
	}'
}

@test "sort_u32: the order sort -n gives, short and long, narrow and wide ids" {
	for n in 0 1 2 47 48 49 300 70000; do
		for max in 7 250 65535 70000 4294967295; do
			for order in random up down; do
				ids $n $max $n$max $order > in
				"$UNIT/sort-check" < in > got
				sort -n in > want
				cmp got want || { echo "n $n max $max $order"; false; }
			done
		done
	done
}

@test "sort_u32_distinct: the ids sort -nu gives" {
	for n in 1 40 5000; do
		for max in 3 300 4294967295; do
			ids $n $max 7 random > in
			"$UNIT/sort-check" -u < in > got
			sort -nu in > want
			cmp got want || { echo "n $n max $max"; false; }
		done
	done
}
