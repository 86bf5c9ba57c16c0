# bprtools: one library (lib/), one thin main per tool (tools/).
#
#   make                 build bin/*
#   make check           run every test suite (bats)
#   make bench           time every stage on a synthetic ml-25m-sized set
#   make experiment      the notebook's experiment on ml-100k (pipelines/)
#   make install         PREFIX=/usr/local DESTDIR=
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
AVX2FLAGS = $(if $(filter x86_64 amd64,$(shell uname -m)),-mavx2)
BATS_FLAGS ?=

TOOLS   := $(filter-out cli,$(basename $(notdir $(wildcard tools/*.c))))
LIB_OBJ := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(wildcard lib/*.c))
CLI_OBJ := $(BUILD)/tools/cli.o
PROGS   := $(addprefix $(BIN)/,$(TOOLS))
MANS    := $(wildcard man/*.[1-9])

all: $(PROGS)

$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# *_avx2.c: the hot loops again, for AVX2, chosen at run time (x86-64 only).
$(BUILD)/lib/%_avx2.o: lib/%_avx2.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) $(AVX2FLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libbpr.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BIN)/%: $(BUILD)/tools/%.o $(CLI_OBJ) $(BUILD)/libbpr.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/ml-synth: tests/synth/ml-synth.c $(BUILD)/libbpr.a
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

experiment: all
	ML100K="$(ML100K)" OUT="$(OUT)" pipelines/experiment.sh

bench: all $(BUILD)/ml-synth
	pipelines/bench.sh

UNIT := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/*.c))

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libbpr.a
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) $(FPFLAGS) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

check: all $(UNIT)
	$(BATS) $(BATS_FLAGS) tests

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	cp $(PROGS) $(DESTDIR)$(BINDIR)/
	for m in $(MANS); do s=$${m##*.}; cp $$m $(DESTDIR)$(MANDIR)/man$$s/; done

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

clean:
	rm -rf build build-* bin

.PHONY: all experiment bench check install lint-man clean

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(patsubst %,$(BUILD)/tools/%.d,$(TOOLS))
