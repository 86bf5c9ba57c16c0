#!/usr/bin/env bats
# lib/ is layered: every #include in lib/ names a header of its own folder
# or of a folder below it, in the order lib/README.md gives.

load helpers

# upward ORDER FILE...: print each include that names a layer above its
# file's folder (or no layer); fail if there is one.
upward() {
	awk -v order="$1" '
		BEGIN { n = split(order, l, " "); for (i = 1; i <= n; i++) rank[l[i]] = i }
		/^#include "/ {
			h = $2; gsub(/"/, "", h); k = split(FILENAME, p, "/"); own = p[k - 1]
			split(h, q, "/")
			if (!(q[1] in rank)) { print FILENAME ": " h " is in no layer"; bad = 1 }
			else if (rank[q[1]] > rank[own]) { print FILENAME ": " own " includes " h ", a layer above"; bad = 1 }
		}
		END { exit bad }' "${@:2}"
}

@test "layers: lib/ shows the pipeline's layers, and no include runs upward" {
	order=$(sed -n 's/^ *layers: //p' "$ROOT/lib/README.md")
	[ -n "$order" ]
	# every folder of lib/ is a layer, and every layer a folder
	[ "$(ls -d "$ROOT"/lib/*/ | xargs -n1 basename | sort | tr '\n' ' ')" = "$(tr ' ' '\n' <<< "$order" | sort | tr '\n' ' ')" ]
	upward "$order" "$ROOT"/lib/*/*.[ch]
	# the check can fail: an upward include is caught
	mkdir -p lib/io
	printf '#include "train/fit.h"\n' > lib/io/x.c
	run upward "$order" lib/io/x.c
	[ "$status" -eq 1 ]
	[[ "$output" == *"io includes train/fit.h, a layer above"* ]]
}

@test "layers: the model is opaque to the tools: no tool includes its insides or names a field" {
	not grep -n 'model_impl\.h' "$ROOT"/tools/*.c "$ROOT"/tools/*.h
	# struct bpr_model is an incomplete type outside lib/model: naming a field does not compile
	printf '#include "model/model.h"\nint f(struct bpr_model *m) { return (int)m->epochs; }\n' > probe.c
	not cc -std=c11 -I"$ROOT/lib" -c probe.c -o probe.o 2> probe.err
	grep -qE 'incomplete|undefined type' probe.err
}
