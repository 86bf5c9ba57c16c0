#!/usr/bin/env bash
# Writes the fuzzers' seed corpus (tests/fuzz/corpus/NAME/), small
# synthetic examples of every input kind, made with our own tools.
# MovieLens files are never used: they may not be redistributed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${BPR_BIN:-$here/../../bin}
out=$here/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"/{ratings,csv,catalog,zip,gz,triplets,model,model-sealed,interactions,partial}

printf '1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t4\t881250951\n' > "$out/ratings/tab"
printf '1::10::5::978300760\n2::20::3.5::978302109\n' > "$out/ratings/dat"
printf 'userId,movieId,rating,timestamp\r\n1,"10",4.5,100\r\n2,20,0.5,200\r\n' > "$out/ratings/csv"
printf 'movieId,title,genres\n1,"Heat, The (1995)",Action|Crime\n2,Plain (1996),(no genres listed)\n' > "$out/csv/movies"
printf 'a,"b ""quoted"" c",d\r\n"multi\nline",x,y\n' > "$out/csv/quotes"
printf '1|Toy Story (1995)|01-Jan-1995||http://x|0|1|1\n2|Caf\xe9 (1996)|||u|1|0|0\0unknown|0\nAction|1\nAdventure|2\n' > "$out/catalog/uitem"
printf '1::Toy Story (1995)::Animation|Comedy\n2::Heat (1995)::Action\n' > "$out/catalog/dat"
cp "$out/csv/movies" "$out/catalog/csv"
printf '1\t2\n1\t3\n2\t2\n3\t1\n# a comment\n' > "$out/interactions/pairs"
printf '1\t2\t4\t881250949\n2\t3\t5\t881250950\n' > "$out/interactions/ratings"

printf '1\t10\t5\t1\n2\t20\t3\t2\n' > "$tmp/u.data"
gzip -c "$tmp/u.data" > "$out/gz/ratings-tab.gz"
{ gzip -c "$tmp/u.data"; printf '3\t30\t4\t3\n' | gzip -c; } > "$out/gz/two-members.gz"
cp "$tmp/u.data" "$out/gz/plain"
(cd "$tmp" && zip -q -X deflated.zip u.data && zip -q -X -0 stored.zip u.data)
cp "$tmp/deflated.zip" "$tmp/stored.zip" "$out/zip/"

awk 'BEGIN { for (u = 1; u <= 6; u++) for (i = 1; i <= 8; i++) if ((u + i) % 3) print u "\t" i }' > "$tmp/train.tsv"
awk 'BEGIN { for (i = 1; i <= 8; i++) print i "\t" i % 3 }' > "$tmp/tags.tsv"
"$bin/triplet-sample" -q --epochs 2 --seed 1 -o "$out/triplets/binary" "$tmp/train.tsv"
"$bin/triplet-sample" -q --tsv --epochs 2 --seed 1 -o "$out/triplets/tsv" "$tmp/train.tsv"
"$bin/bpr-train" -q --train "$tmp/train.tsv" --item-tags "$tmp/tags.tsv" --item-dim 2 --tag-dim 1 \
	--epochs 1 -o "$out/model/small.bpr"
"$bin/bpr-train" -q --train "$tmp/train.tsv" --optimizer adam --batch 4 --item-dim 2 --tag-dim 0 \
	--epochs 1 -o "$out/model/adam.bpr"
# Models whose CRCs the sealed harness repairs: the above, and one of each
# kind of state (Keras Adam's steps, row-wise sums) with catalogue items
# that have no row.
awk 'BEGIN { for (i = 1; i <= 12; i++) print i "\t" i % 4 }' > "$tmp/catalogue.tsv"
"$bin/bpr-train" -q --train "$tmp/train.tsv" --item-tags "$tmp/catalogue.tsv" --compat notebook \
	--item-dim 2 --tag-dim 1 --epochs 1 --items "$tmp/tags.tsv" -o "$out/model-sealed/notebook.bpr"
"$bin/bpr-train" -q --train "$tmp/train.tsv" --item-tags "$tmp/catalogue.tsv" --items "$tmp/tags.tsv" \
	--optimizer rowadagrad --item-dim 2 --tag-dim 1 --epochs 1 -o "$out/model-sealed/rowadagrad.bpr"
cp "$out/model/small.bpr" "$out/model/adam.bpr" "$out/model-sealed/"

# Partials of auc --shard: one, and two shards NUL-separated (as the
# harness splits its input).
awk 'BEGIN { for (u = 1; u <= 6; u++) for (i = 1; i <= 8; i++) if ((u + i) % 3 == 0) print u "\t" i }' > "$tmp/ptrain.tsv"
awk 'BEGIN { for (u = 1; u <= 6; u++) for (i = 1; i <= 8; i++) if ((u * i) % 5 == 1) print u "\t" i }' > "$tmp/ptest.tsv"
"$bin/bpr-train" -q --train "$tmp/ptrain.tsv" --item-dim 2 --tag-dim 0 --epochs 1 -o "$tmp/p.bpr"
for i in 0 1; do
	"$bin/auc" -m "$tmp/p.bpr" -k 3 --exclude "$tmp/ptrain.tsv" --shard "$i/2" "$tmp/ptest.tsv" > "$tmp/part.$i" 2>/dev/null
done
cp "$tmp/part.0" "$out/partial/one"
{ cat "$tmp/part.0"; printf '\0'; cat "$tmp/part.1"; } > "$out/partial/two"
