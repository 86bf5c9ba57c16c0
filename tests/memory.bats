#!/usr/bin/env bats
# How the tools take memory from the system (lib/io/mem.c).

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# The VmFlags of the mappings of process $1 that cover at least 2 MB.
big_mapping_flags() {
	local range rest big=0 lo hi
	while read -r range rest; do
		if [[ "$range" =~ ^([0-9a-f]+)-([0-9a-f]+)$ ]]; then
			lo=$((16#${BASH_REMATCH[1]}))
			hi=$((16#${BASH_REMATCH[2]}))
			big=$(( hi - lo >= 2097152 ))
		elif [ "$range" = VmFlags: ] && [ "$big" -eq 1 ]; then
			echo "$rest"
		fi
	done < "/proc/$1/smaps"
}

@test "memory: a tool asks for 2 MB pages for its heap from the start, where the kernel has them" {
	[ -z "${BPR_SANITIZED:-}" ] || skip "a sanitizer brings its own allocator"
	[ -r /sys/kernel/mm/transparent_hugepage/enabled ] || skip "this kernel has no transparent huge pages"
	mkfifo in
	# ml-genres waits in open(2) for a writer, its start-up done
	ml-genres -q -o out.tsv in 2> err.txt &
	pid=$!
	for _ in $(seq 100); do
		flags=$(big_mapping_flags "$pid")
		grep -qw hg <<< "$flags" && break
		sleep 0.05
	done
	: > in	# the writer comes, and goes: an empty input
	wait "$pid" || true
	echo "$flags"
	grep -qw hg <<< "$flags"
}
