#!/usr/bin/env bats
# Seeing what the model learned: bpr-train --log and its progress line,
# bpr-score --map and --projector, the PCA behind the map, the plots and
# the experiment's report.

load helpers

# png_size FILE: "WIDTH HEIGHT" from a PNG's IHDR chunk, or nothing when
# the file does not start like a PNG.
png_size() {
	[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ] || return 0
	[ "$(dd if="$1" bs=1 skip=12 count=4 2>/dev/null)" = IHDR ] || return 0
	od -An -tu1 -j16 -N8 "$1" |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}

# plot_inputs DIR SEED [EPOCHS]: the inputs of pipelines/plots.sh, from a
# model trained on the fixture (6 epochs unless told).
plot_inputs() {
	local dir=$1 seed=$2 epochs=${3:-6}
	mkdir -p "$dir"
	bpr-train -q --train train.tsv --item-tags item-tags.tsv --item-dim 8 --tag-dim 4 \
		--epochs "$epochs" --seed "$seed" --eval test.tsv --eval-every 2 --log "$dir/train-log.tsv" \
		-o "$dir/model.bpr"
	auc -m "$dir/model.bpr" --exclude train.tsv --per-user "$dir/user-auc.tsv" test.tsv > /dev/null
	printf '0\tzero\n1\tone\n2\ttwo\n3\tthree\n4\tfour\n' > vocab.tsv
	bpr-score -m "$dir/model.bpr" --map items --titles titles.tsv --vocab vocab.tsv > "$dir/map-items.tsv"
	bpr-score -m "$dir/model.bpr" --map tags --vocab vocab.tsv > "$dir/map-tags.tsv"
	cp train.tsv "$dir/train.tsv"
}

@test "bpr-train --log: a row per epoch, AUCs where evaluated, the loss printed on stderr" {
	make_split 40 50
	bpr-train --train train.tsv --item-tags item-tags.tsv --item-dim 8 --tag-dim 4 --epochs 6 \
		--seed 2 --eval test.tsv --eval-every 3 --valid test.tsv -v --log log.tsv -o m.bpr 2> err
	cat log.tsv
	[ "$(head -1 log.tsv)" = "$(printf 'epoch\tloss\tauc\tclean_auc\tvalid_auc\tseconds\tclean_p@10\twall')" ]
	[ "$(sed 1d log.tsv | cut -f1 | tr '\n' ' ')" = "0 1 2 3 4 5 6 " ]
	awk -F'\t' 'NR > 1 && NF != 8 { exit 1 }' log.tsv
	# P@10 where evaluated, as auc measures the model at the end
	[ "$(awk -F'\t' 'NR > 1 && $7 != "" { printf "%s ", $1 }' log.tsv)" = "0 3 6 " ]
	p=$(auc -m m.bpr --exclude train.tsv -k 10 test.tsv | metric /dev/stdin p@10)
	[ "$(awk -F'\t' '$1 == 6 { print $7 }' log.tsv)" = "$(printf '%.6f' "$p")" ]
	# wall: every row, rising, and at least the epochs' own seconds since epoch 0
	awk -F'\t' 'NR > 1 { if ($8 == "" || $8 + 0 < w) exit 1; w = $8; s += $6 }
		END { exit !(w - first >= s) } NR == 2 { first = $8 }' log.tsv
	# AUCs at epochs 0, 3 and 6 only; loss and time at every epoch but 0
	[ "$(awk -F'\t' 'NR > 1 && $3 != "" { printf "%s ", $1 }' log.tsv)" = "0 3 6 " ]
	[ "$(awk -F'\t' 'NR > 1 && $5 != "" { printf "%s ", $1 }' log.tsv)" = "0 3 6 " ]
	[ "$(awk -F'\t' 'NR > 1 && $2 != "" && $6 > 0 { printf "%s ", $1 }' log.tsv)" = "1 2 3 4 5 6 " ]
	# the same numbers as the verbose lines on stderr
	grep -o 'epoch [0-9]*: loss [0-9.]*' err | awk '{ print $2 + 0 "\t" $4 }' > stderr-loss
	awk -F'\t' 'NR > 1 && $2 != "" { print $1 "\t" $2 }' log.tsv > log-loss
	diff stderr-loss log-loss
	line=$(grep 'epoch 3/6: loss' err)
	grep -q "clean auc $(awk -F'\t' '$1 == 3 { print $4 }' log.tsv) " <<< "$line"
	grep -q "notebook auc $(awk -F'\t' '$1 == 3 { print $3 }' log.tsv) " <<< "$line"
}

@test "bpr-train --log: not written when training fails" {
	make_split
	# the model cannot be saved: the log, written by then, must go too
	run bpr-train -q --train train.tsv --epochs 2 --eval test.tsv --log log.tsv -o no/such/dir/m.bpr
	[ "$status" -eq 1 ]
	no_file log.tsv
	[ -z "$(ls -A | grep '^\.log')" ]
}

@test "bpr-train: progress with an ETA on a terminal, none in a pipe" {
	need_command script
	make_split 40 50
	bpr-train --train train.tsv --epochs 4 --seed 1 -o pipe.bpr 2> pipe.err
	not grep -q 'ETA' pipe.err
	not grep -q $'\r' pipe.err
	script -qec "$BIN/bpr-train --train train.tsv --epochs 4 --seed 1 -o tty.bpr" /dev/null > tty.out
	grep -q 'epoch 1/4: loss [0-9.]*, [0-9.]* M triplets/s, ETA [0-9]*m[0-9][0-9]s' tty.out
	cmp pipe.bpr tty.bpr
	script -qec "$BIN/bpr-train -q --train train.tsv --epochs 4 --seed 1 -o q.bpr" /dev/null > q.out
	[ ! -s q.out ]
}

@test "pca: the first axis matches the closed form of 2-D covariances" {
	for seed in 1 2 3 4; do
		# correlated 2-D points: the axis is at 1/2 atan2(2 sxy, sxx - syy)
		awk -v s=$seed 'BEGIN { srand(s); a = rand() * 3 - 1.5
			for (i = 0; i < 200; i++) { x = rand() * 4 - 2; y = a * x + rand() - 0.5 + s; print x "\t" y } }' > pts
		"$UNIT/pca-check" < pts > axis
		awk 'NR == FNR { x[FNR] = $1; y[FNR] = $2; n = FNR; next } { v[FNR] = $1 }
		END {
			for (i = 1; i <= n; i++) { mx += x[i] / n; my += y[i] / n }
			for (i = 1; i <= n; i++) { sxx += (x[i] - mx) ^ 2; syy += (y[i] - my) ^ 2; sxy += (x[i] - mx) * (y[i] - my) }
			t = atan2(2 * sxy, sxx - syy) / 2; ax = cos(t); ay = sin(t)
			dot = ax * v[1] + ay * v[2]; if (dot < 0) dot = -dot
			printf "closed form (%.6f, %.6f), power iteration (%.6f, %.6f)\n", ax, ay, v[1], v[2]
			exit !(1 - dot < 1e-9)
		}' pts axis
		# signed as bpr-score(1) says: the largest component positive
		awk '{ a = $1 < 0 ? -$1 : $1; if (a > m) { m = a; v = $1 } } END { exit !(v > 0) }' axis
	done
}

@test "pca: an axis is signed so that its largest component is positive" {
	# points along (0.6, -0.5, -0.5, -0.37), whose components sum below zero
	awk 'BEGIN { srand(3); for (i = 0; i < 300; i++) { t = rand() * 4 - 2
		printf "%.6f\t%.6f\t%.6f\t%.6f\n", 0.6 * t + rand() * 0.01, -0.5 * t + rand() * 0.01,
			-0.5 * t + rand() * 0.01, -0.37 * t + rand() * 0.01 } }' > pts
	"$UNIT/pca-check" < pts > axis
	cat axis
	[ "$(sed -n 1p axis | cut -c1)" != - ]
	awk '{ v[NR] = $1 } END { n = sqrt(0.6^2 + 0.5^2 + 0.5^2 + 0.37^2)
		exit !((v[1] * 0.6 - v[2] * 0.5 - v[3] * 0.5 - v[4] * 0.37) / n > 0.999) }' axis
}

@test "pca: in more dimensions the axis is found in the right plane" {
	# 4-D: a correlated pair in dimensions 2 and 4, small independent noise in 1 and 3
	awk 'BEGIN { srand(9); for (i = 0; i < 300; i++) { x = rand() * 6 - 3
		print rand() * 0.2 "\t" x "\t" rand() * 0.2 "\t" 0.5 * x + rand() * 0.4 } }' > pts
	"$UNIT/pca-check" < pts > axis
	[ "$(wc -l < axis)" -eq 4 ]
	awk 'NR == FNR { x[FNR] = $2; y[FNR] = $4; n = FNR; next } { v[FNR] = $1 }
	END {
		for (i = 1; i <= n; i++) { mx += x[i] / n; my += y[i] / n }
		for (i = 1; i <= n; i++) { sxx += (x[i] - mx) ^ 2; syy += (y[i] - my) ^ 2; sxy += (x[i] - mx) * (y[i] - my) }
		t = atan2(2 * sxy, sxx - syy) / 2
		printf "axis %s %s %s %s; plane angle %.6f\n", v[1], v[2], v[3], v[4], t
		# nearly all of the axis lies in the (2, 4) plane, close to the pair s own axis
		exit !(v[2] * v[2] + v[4] * v[4] > 0.999 && (cos(t) * v[2] + sin(t) * v[4]) ^ 2 > 0.999)
	}' pts axis
}

@test "bpr-score --map: every item once, centred, the first axis the widest; tags named" {
	make_model 40 50
	printf '0\tzero\n1\tone\n2\ttwo\n3\tthree\n4\tfour\n' > vocab.tsv
	bpr-score -m model.bpr --map items --titles titles.tsv --vocab vocab.tsv > map.tsv
	bpr-score -m model.bpr --dump items | cut -f1 > ids
	diff ids <(cut -f1 map.tsv)
	awk -F'\t' 'NF != 6 { exit 1 }' map.tsv
	# PCA coordinates have mean 0 on each axis
	awk -F'\t' '{ sx += $2; sy += $3 } END { exit !((sx / NR) ^ 2 < 1e-9 && (sy / NR) ^ 2 < 1e-9) }' map.tsv
	# the main tag is one of the item's tags, named from the vocabulary
	awk -F'\t' 'NR == FNR { has[$1 "," $2] = 1; next }
		!has[$1 "," $4] { print "item " $1 " main tag " $4 " is not its own"; exit 1 }' item-tags.tsv map.tsv
	grep -q $'^1\t[-0-9.]*\t[-0-9.]*\t[0-9]\t[a-z]*\tMovie 1 (1901)$' map.tsv
	bpr-score -m model.bpr --map tags --vocab vocab.tsv > tags.tsv
	[ "$(cut -f4 tags.tsv | tr '\n' ' ')" = "zero one two three four " ]
	# the variance along the first axis is at least that along the second
	awk -F'\t' '{ a += $2 * $2; b += $3 * $3 } END { exit !(a >= b) }' map.tsv
}

@test "bpr-score --map: points without spread sit at the origin (one tag)" {
	make_split
	cut -f1 item-tags.tsv | sort -un | awk '{ print $1 "\t0" }' > one-tag.tsv
	bpr-train -q --train train.tsv --item-tags one-tag.tsv --item-dim 4 --tag-dim 2 --epochs 2 -o one.bpr
	[ "$(bpr-score -m one.bpr --map tags)" = "$(printf '0\t0.000000\t0.000000\ttag 0')" ]
}

@test "bpr-score --map tags: refused for a model without tags" {
	make_split
	bpr-train -q --train train.tsv --item-dim 4 --tag-dim 0 --epochs 1 -o mf.bpr
	bad 1 'no tag part' bpr-score -m mf.bpr --map tags
}

@test "bpr-score --projector: vectors and metadata line up, config lists them" {
	make_model 40 50
	printf '0\tzero\n1\tone\n2\ttwo\n3\tthree\n4\tfour\n' > vocab.tsv
	bpr-score -m model.bpr --projector proj --titles titles.tsv --vocab vocab.tsv
	for t in items users tags; do
		grep -q "tensor_path: \"$t.tsv\"" proj/projector_config.pbtxt
		grep -q "metadata_path: \"$t-meta.tsv\"" proj/projector_config.pbtxt
	done
	[ "$(wc -l < proj/items-meta.tsv)" -eq $(($(wc -l < proj/items.tsv) + 1)) ]
	[ "$(wc -l < proj/tags-meta.tsv)" -eq $(($(wc -l < proj/tags.tsv) + 1)) ]
	[ "$(wc -l < proj/users-meta.tsv)" -eq "$(wc -l < proj/users.tsv)" ]
	# the same rows as the dump, in the same order, without the id column
	# (the dump ends users with a 1 for the item bias; the projector has the 8 + 4 values)
	diff <(bpr-score -m model.bpr --dump users | cut -f2-13) proj/users.tsv
	diff <(bpr-score -m model.bpr --dump users | cut -f1) proj/users-meta.tsv
	diff <(bpr-score -m model.bpr --dump items | cut -f1) <(sed 1d proj/items-meta.tsv | cut -f1)
	grep -q $'^1\tMovie 1 (1901)\t[a-z|]*\t[a-z]*$' proj/items-meta.tsv
}

@test "bpr-score --projector: ml-100k items, tags and users line up, id 0 included, UTF-8 titles" {
	need_ml100k
	ml-split -q --min-rating 4 -o train.tsv -t test.tsv "$ML100K/u.data"
	ml-genres -q --vocab tags.tsv --titles titles.tsv -o item-tags.tsv "$ML100K/u.item"
	# --compat notebook ranks ids 0..1682, so its model has a row for the unused id 0
	bpr-train -q --compat notebook --train train.tsv --item-tags item-tags.tsv --epochs 1 -o nb.bpr
	bpr-score -m nb.bpr --projector proj --titles titles.tsv --vocab tags.tsv
	[ "$(wc -l < proj/items.tsv)" -eq 1683 ]
	[ "$(sed 1d proj/items-meta.tsv | wc -l)" -eq 1683 ]
	[ "$(sed -n 2p proj/items-meta.tsv | cut -f1)" = 0 ]
	[ "$(sed 1d proj/items-meta.tsv | cut -f1 | tr '\n' ' ')" = "$(seq 0 1682 | tr '\n' ' ')" ]
	awk -F'\t' 'NF != 100 { exit 1 }' proj/items.tsv
	# row k of the vectors is item k: its dump row, id for id
	diff <(bpr-score -m nb.bpr --dump items | cut -f2-) proj/items.tsv
	grep -q $'^50\tStar Wars (1977)\tAction|Adventure|Romance|Sci-Fi|War\t' proj/items-meta.tsv
	grep -q $'^1005\tDouble vie de V\xc3\xa9ronique' proj/items-meta.tsv
	iconv -f UTF-8 -t UTF-8 proj/items-meta.tsv > /dev/null
	[ "$(sed 1d proj/tags-meta.tsv | cut -f2 | head -3 | tr '\n' ' ')" = "unknown Action Adventure " ]
	[ "$(wc -l < proj/tags.tsv)" -eq 19 ]
	[ "$(wc -l < proj/users.tsv)" -eq "$(wc -l < proj/users-meta.tsv)" ]
	[ "$(wc -l < proj/users.tsv)" -eq "$(cut -f1 train.tsv | sort -u | wc -l)" ]
}

@test "plots: three PNGs of a sensible size, and they change with the data" {
	need_command gnuplot
	make_split 60 80
	plot_inputs a 1
	"$ROOT/pipelines/plots.sh" -c fixture a
	[ "$(png_size a/learning-curve.png)" = "1280 1000" ]
	[ "$(png_size a/user-auc.png)" = "1280 700" ]
	[ "$(png_size a/item-map.png)" = "1280 1000" ]
	for p in learning-curve user-auc item-map; do
		[ "$(wc -c < a/$p.png)" -gt 10000 ]
	done
	# the same inputs draw the same pictures; another run's inputs draw others
	mkdir same
	cp a/*.tsv same/
	"$ROOT/pipelines/plots.sh" -c fixture same
	# (2 epochs: after 6 every user of this fixture has AUC 1, whatever the seed)
	plot_inputs b 2 2
	"$ROOT/pipelines/plots.sh" -c fixture b
	for p in learning-curve user-auc item-map; do
		cmp a/$p.png same/$p.png
		not cmp -s a/$p.png b/$p.png
	done
}

@test "plots: a clear failure without gnuplot" {
	make_split
	run env GNUPLOT=/nonexistent/gnuplot "$ROOT/pipelines/plots.sh" .
	[ "$status" -eq 1 ]
	[[ "$output" == "plots: /nonexistent/gnuplot is not installed, so no pictures were drawn"* ]]
}

@test "experiment: the report links every picture and states each number's protocol" {
	need_ml100k
	need_command gnuplot
	run make -s -C "$ROOT" experiment ML100K="$ML100K" OUT="$BATS_TEST_TMPDIR/exp"
	[ "$status" -eq 0 ]
	[[ "$output" == *"the report is $BATS_TEST_TMPDIR/exp/report.md"* ]]
	for p in learning-curve user-auc item-map; do
		grep -q "^!\[[^]]*\]($p.png)\$" exp/report.md
		grep -q "<img src=\"$p.png\"" exp/report.html
		[ -n "$(png_size exp/$p.png)" ]
	done
	grep -q '^- notebook: ranked: every id 0\.\.1682' exp/report.md
	grep -q '^- clean: ranked: .*train positives: left out' exp/report.md
	grep -q "| notebook | $(metric exp/auc-notebook.tsv auc) |" exp/report.md
	grep -q "| clean | $(metric exp/auc-clean.tsv auc) |" exp/report.md
	grep -Eq '^\| 30( \(best clean\))? \| [0-9.]* \| [0-9.]* \| [0-9.]* \|$' exp/report.md
	# the projector's folder and files are links
	grep -q '<a href="projector/">projector/</a>' exp/report.html
	grep -q '<a href="projector/items.tsv">' exp/report.html
	[ -s exp/projector/items.tsv ]
	[ -s exp/projector/projector_config.pbtxt ]
}

@test "experiment: without gnuplot the rest completes and the failure is loud" {
	need_ml100k
	run --separate-stderr env GNUPLOT=/nonexistent/gnuplot make -s -C "$ROOT" experiment \
		ML100K="$ML100K" OUT="$BATS_TEST_TMPDIR/exp"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"experiment: the pictures could not be drawn: plots: /nonexistent/gnuplot is not installed"* ]]
	[ -s exp/model.bpr ]
	[ -s exp/auc-clean.tsv ]
	[ -s exp/report.html ]
	grep -q 'The pictures are missing' exp/report.md
	# no picture is embedded that is not there
	not grep -q '<img' exp/report.html
	[ "$(grep -c '^\*The picture [a-z-]*\.png is missing: ' exp/report.md)" -eq 3 ]
	[ ! -e exp/item-map.png ]
}

@test "progress: on a terminal a line that moves (time so far, stage, done of total); none in a pipe or with -q" {
	need_command script
	"$UNIT/../ml-synth" -p -d 8 -u 2000 -i 1000 -r 100000 -s 2 .
	ml-split -q --scheme random --test-fraction 0.2 --min-rating 4 -o train.tsv -t test.tsv ratings.csv
	script -qec "$BIN/bpr-train --train train.tsv --epochs 300 --seed 1 -o tty.bpr" /dev/null > tty.out
	# redrawn in place, four times a second: the seconds so far and the epoch's triplets
	tr '\r' '\n' < tty.out | sed 's/\x1b\[K//g' > lines
	grep -Eaq '^bpr-train [0-9.]+ s: epoch [0-9]+ of 300, [0-9.]+( M)?/[0-9.]+( M)? triplets \([0-9]+%\)' lines
	[ "$(grep -ac '^bpr-train [0-9.]* s: epoch' lines)" -ge 2 ]
	script -qec "$BIN/auc -m tty.bpr --exclude train.tsv test.tsv" /dev/null > auc.out
	grep -aq '^auc	0\.' auc.out
	bpr-train --train train.tsv --epochs 300 --seed 1 -o pipe.bpr 2> pipe.err
	not grep -q 'bpr-train [0-9.]* s:' pipe.err
	cmp tty.bpr pipe.bpr
	script -qec "$BIN/bpr-train -q --train train.tsv --epochs 300 --seed 1 -o q.bpr" /dev/null > q.out
	[ ! -s q.out ]
}

@test "time to quality (make bench): a row per setting, its thresholds' seconds within the run, and the picture" {
	need_command gnuplot
	# a small planted set in place of the 25M one (ttq.sh makes that only when train.tsv is missing)
	"$UNIT/../ml-synth" -p -d 16 -t 0.3 -u 1500 -i 800 -r 60000 -s 3 .
	ml-split -q --scheme random --test-fraction 0.2 --min-rating 4 -o train.tsv -t test.tsv ratings.csv
	awk -F'\t' '$1 % 16 == 1' test.tsv > eval.tsv
	TTQ_THRESHOLDS="0.6 0.7" "$ROOT/pipelines/ttq.sh" . 1 > out.txt
	cat out.txt
	[ "$(wc -l < ttq.tsv)" -eq 6 ]
	[ "$(cut -f1 ttq.tsv | tr '\n' ',')" = "setting,defaults,adagrad,hard 1,sgd,Keras adam," ]
	for f in ttq-defaults-1.log ttq-adagrad-1.log ttq-hard-1-1.log ttq-sgd-1.log ttq-Keras-adam-1.log; do
		[ "$(wc -l < "$f")" -eq 32 ]
	done
	# each threshold's seconds: the wall of the first epoch whose clean AUC reaches it
	awk -F'\t' 'NR > 1 && $4 >= 0.6 { printf "%.0f\n", $8; exit }' ttq-defaults-1.log > want
	[ "$(awk -F'\t' '$1 == "defaults" { print $2 }' ttq.tsv)" = "$(cat want)" ]
	# the best clean AUC is no lower than the last, and is the log's largest after epoch 0
	awk -F'\t' 'NR > 1 { if ($4 + 0 < $8 + 0) exit 1 }' ttq.tsv
	best=$(awk -F'\t' 'NR > 2 && $4 > b { b = $4 } END { printf "%.4f", b }' ttq-sgd-1.log)
	[ "$(awk -F'\t' '$1 == "sgd" { print $4 }' ttq.tsv)" = "$best" ]
	[ "$(stat -c %s ttq.png)" -gt 20000 ]
}
