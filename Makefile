# bprtools: one library (lib/), one thin main per tool (tools/).
#
#   make                 build bin/*
#   make check           run every test suite (bats)
#   make bench           time every stage on a synthetic ml-25m-sized set
#   make sanitize        the tests on an ASan+UBSan build
#   make valgrind        the experiment under valgrind memcheck
#   make fuzz            every parser's libFuzzer harness, FUZZ_SECONDS each
#   make mutate          plant MUTANTS bugs in lib/, one at a time: which do the tests miss?
#   make experiment      the notebook's experiment on ml-100k (pipelines/)
#   make slurm-experiment  the same chain as Slurm jobs, SHARDS shards (pipelines/slurm.sh)
#   make sweep           grids of bpr-train and als-train settings on a validation split
#   make sweep-als       als-train's grid alone
#   make results         the README's results table (named runs, 3 seeds)
#   make install         PREFIX=/usr/local DESTDIR= (make uninstall: the same)
#   make clean

CC       ?= cc
CFLAGS   ?= -O2 -g
# -Wno-psabi: the vector helpers pass 32-byte vectors by value; they are
# always inlined, so the calling convention the warning is about never applies.
WARNINGS  = -std=c11 -Wall -Wextra -Werror -Wno-psabi
# Same bits on every build: no fused multiply-add, and no errno from
# sqrtf (which would stop the compiler vectorising it).
FPFLAGS   = -ffp-contract=off -fno-math-errno
CPPFLAGS += -D_GNU_SOURCE -Ilib
LDLIBS    = -lcsv -lz -lm -pthread
BUILD    ?= build
BIN      ?= bin
PREFIX   ?= /usr/local
ML100K   ?=
OUT      ?=
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
BATS     ?= bats
X86_64   := $(filter x86_64 amd64,$(shell uname -m))
AVX2FLAGS = $(if $(X86_64),-mavx2 -mfma)
AVX512FLAGS = $(if $(X86_64),-mavx512f -mpopcnt)
BATS_FLAGS ?=

TOOLS   := $(filter-out cli cli_%,$(basename $(notdir $(wildcard tools/*.c))))
# lib/ in folders by layer, each including only from those below it
# (lib/README.md; tests/layers.bats checks it): io data sample model eval train.
LIB_OBJ := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(wildcard lib/*/*.c))
CLI_OBJ := $(BUILD)/tools/cli.o $(BUILD)/tools/cli_progress.o
PROGS   := $(addprefix $(BIN)/,$(TOOLS))
MANS    := $(wildcard man/*.[1-9])

all: $(PROGS)

# What the build (or the tests) need and the machine lacks, found first:
# installed as root with apt-get, or named with the command that does.
deps:
	@CC="$(CC)" pipelines/deps.sh build

$(BUILD)/lib/%.o: lib/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# *_avx2.c: the hot loops again, for AVX2, chosen at run time (x86-64 only).
$(BUILD)/lib/%_avx2.o: lib/%_avx2.c | deps
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) $(AVX2FLAGS) -MMD -MP -c -o $@ $<

# *_avx512.c: a loop again for AVX-512, chosen at run time (x86-64 only).
$(BUILD)/lib/%_avx512.o: lib/%_avx512.c | deps
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) $(AVX512FLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tools/%.o: tools/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libbpr.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BIN)/%: $(BUILD)/tools/%.o $(CLI_OBJ) $(BUILD)/libbpr.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/ml-synth: tests/synth/ml-synth.c $(BUILD)/libbpr.a
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The machine's limit for scoring (make bench): sgemm, found with dlopen.
$(BUILD)/gemm-bench: tests/bench/gemm-bench.c $(BUILD)/libbpr.a
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS) -ldl

experiment: all
	@CC="$(CC)" pipelines/deps.sh experiment
	ML100K="$(ML100K)" OUT="$(OUT)" pipelines/experiment.sh

# The experiment's chain as Slurm jobs, sharded (pipelines/slurm.sh).
SHARDS ?= 4
slurm-experiment: all
	ML100K="$(ML100K)" SHARDS="$(SHARDS)" OUT="$(OUT)" pipelines/slurm.sh

bench: all $(BUILD)/ml-synth $(BUILD)/gemm-bench
	pipelines/bench.sh

# Simple bugs planted in a copy of lib/, one at a time, against the suites
# each could affect (tests/mutate.sh): the survivors show where the tests
# are blind. On demand, not in CI: it takes about half a minute a mutant.
MUTANTS ?= 80
MUTATE_SEED ?= 1
mutate:
	tests/mutate.sh $(MUTANTS) $(MUTATE_SEED)

sweep: all
	ML100K="$(ML100K)" pipelines/sweep.sh
	ML100K="$(ML100K)" pipelines/sweep-als.sh

sweep-als: all
	ML100K="$(ML100K)" pipelines/sweep-als.sh

results: all
	ML100K="$(ML100K)" pipelines/results.sh

UNIT := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/*.c))

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libbpr.a
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The allocation-failure shim (tests/faults.bats), preloaded: built plain,
# whatever CFLAGS say, since a sanitizer brings its own allocator.
$(BUILD)/unit/failalloc.so: tests/shim/failalloc.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) -O2 -fPIC -shared -o $@ $<

units: $(UNIT) $(BUILD)/unit/failalloc.so $(BUILD)/ml-synth

check:
	@CC="$(CC)" pipelines/deps.sh check
	$(MAKE) all units
	BPR_BIN=$(abspath $(BIN)) BPR_UNIT=$(abspath $(BUILD)/unit) $(BATS) $(BATS_FLAGS) tests

# The whole test suite again on programs built with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang or gcc), any report being an error.
# Leaks are not checked here: a tool that exits on an error leaves its
# memory to exit(3), as C tools do; tests/leaks.bats checks the paths that
# succeed, and `make valgrind` the experiment.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
sanitize:
	$(MAKE) BUILD=build-san BIN=build-san/bin CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" all units
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		BPR_BIN=$(abspath build-san/bin) BPR_UNIT=$(abspath build-san/unit) BPR_SANITIZED=1 \
		$(BATS) $(BATS_FLAGS) tests

# The experiment under valgrind's memcheck, one log per process: any error
# or definitely lost byte fails it, and the totals are printed.
VG_DIR = build/valgrind-experiment
valgrind: all
	rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)/logs
	VALGRIND="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file=$(abspath $(VG_DIR))/logs/vg.%p.log" \
		ML100K="$(ML100K)" OUT="$(abspath $(VG_DIR))" pipelines/experiment.sh > $(VG_DIR)/run.log
	@cat $(VG_DIR)/logs/*.log | awk '/ERROR SUMMARY/ { e += $$4; n++ } \
		/definitely lost:/ { gsub(",", "", $$4); d += $$4 } \
		END { printf "valgrind: %d processes, %d errors, %d bytes definitely lost\n", n, e, d; \
		      exit (e > 0 || d > 0) }'

# libFuzzer harnesses for every parser (clang), each run FUZZ_SECONDS from
# the seed corpus in tests/fuzz/corpus (copied, so findings stay out of it).
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZERS := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))

# The harnesses only read files: the layers above the model (evaluation,
# training), which take minutes to compile with the fuzzer's
# instrumentation, stay out of their library.
# From eval/, only what reads and merges auc's partials.
FUZZ_LIB_OBJ := $(patsubst lib/%.c,build-fuzz/lib/%.o,$(wildcard $(addprefix lib/,$(addsuffix /*.c,io data sample model))) \
	$(addprefix lib/eval/,partial.c shard.c eval.c blend.c metrics.c topk.c score_many.c score_many_avx2.c \
	place.c place_avx2.c place_avx512.c))

libbpr: $(BUILD)/libbpr.a

build-fuzz/libbpr-parsers.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

fuzz-lib:
	$(MAKE) CC=$(FUZZ_CC) BUILD=build-fuzz BIN=build-fuzz/bin CFLAGS="$(FUZZ_FLAGS)" \
		build-fuzz/libbpr-parsers.a

build-fuzz/fuzz-%: tests/fuzz/fuzz-%.c fuzz-lib
	$(FUZZ_CC) $(FPFLAGS) $(CPPFLAGS) -Itests/fuzz -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< \
		build-fuzz/libbpr-parsers.a $(LDLIBS)

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
		name=$${f##*/fuzz-}; work=build-fuzz/corpus/$$name; \
		mkdir -p $$work && cp -n tests/fuzz/corpus/$$name/* $$work/ 2>/dev/null; \
		echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -rss_limit_mb=4096 \
			-artifact_prefix=build-fuzz/$$name- $$work 2>build-fuzz/$$name.log || \
			{ tail -40 build-fuzz/$$name.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units' build-fuzz/$$name.log; \
	done

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	cp $(PROGS) $(DESTDIR)$(BINDIR)/
	for m in $(MANS); do s=$${m##*.}; cp $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(BINDIR)/$${p##*/}; done
	for m in $(MANS); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

clean:
	rm -rf build build-* bin

.PHONY: all deps units mutate experiment slurm-experiment bench sweep sweep-als results check sanitize valgrind fuzz fuzz-lib libbpr install uninstall lint-man clean

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(patsubst %,$(BUILD)/tools/%.d,$(TOOLS))
