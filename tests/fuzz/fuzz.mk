# libFuzzer targets for the parsers of outside input (tests/fuzz/fuzz_*.c).
# Included from the top-level Makefile; uses only its own FUZZ_* variables.
#
#   make fuzz-build   build/fuzz/<name> for every target
#   make fuzz-short   each target FUZZ_SHORT_TIME seconds (default 8) on a
#                     temporary copy of its seeds, one TAP line each
#   make bench-fuzz   each target FUZZ_TIME seconds (default 300) on a corpus
#                     kept in build/fuzz/corpus/<name>; prints exec/s and
#                     coverage. FUZZ_ONLY="csv time" picks targets,
#                     FUZZ_JOBS=2 runs two at once.
#   make fuzz-clean   removes build/fuzz
#
# Replay one input:  build/fuzz/<name> FILE
# Everything is compiled with clang into build/fuzz/ (never the gcc objects).

FUZZ_CC    ?= clang
FUZZ_PKGS  := libmicrohttpd jansson sqlite3 libpq libsodium libcrypto libcurl libutf8proc \
              libqrencode libpng libzip expat freexl libzstd
FUZZ_NAMES := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZERS    := $(addprefix build/fuzz/,$(FUZZ_NAMES))
FUZZ_ONLY  ?= $(FUZZ_NAMES)

# pkg-config runs once, and only when a fuzz rule needs it.
FUZZ_PKG_CFLAGS = $(eval FUZZ_PKG_CFLAGS := $$(shell pkg-config --cflags $(FUZZ_PKGS)))$(FUZZ_PKG_CFLAGS)
FUZZ_LIBS = $(eval FUZZ_LIBS := $$(shell pkg-config --libs $(FUZZ_PKGS)) -pthread)$(FUZZ_LIBS)

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -pthread \
               -Isrc -Ibuild/gen $(FUZZ_PKG_CFLAGS)

# The whole server library (without main.c): the route table names every
# handler, so the router target links all of it. Targets that need less
# pull only their objects from the archive.
FUZZ_SRCS := $(shell find src -name '*.c' ! -name main.c | sort)
FUZZ_OBJS := $(patsubst src/%.c,build/fuzz/obj/%.o,$(FUZZ_SRCS)) \
             build/fuzz/obj/gen/migrations.o
FUZZ_LIB  := build/fuzz/libtc.a

.PHONY: fuzz-build fuzz-short bench-fuzz fuzz-clean

fuzz-build: $(FUZZERS)

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c -o $@ $<

build/fuzz/obj/gen/migrations.o: build/gen/migrations.c
	@mkdir -p $(@D)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(FUZZERS): build/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -Wno-unused-parameter -Itests/fuzz \
		-fsanitize=fuzzer $(FUZZ_SAN) -MMD -MP -o $@ $< $(FUZZ_LIB) $(FUZZ_LIBS)

fuzz-short: fuzz-build
	@tests/fuzz/run.sh short $(FUZZ_ONLY)

bench-fuzz: fuzz-build
	@tests/fuzz/run.sh bench $(FUZZ_ONLY)

fuzz-clean:
	rm -rf build/fuzz

-include $(wildcard build/fuzz/*.d) $(shell find build/fuzz/obj -name '*.d' 2>/dev/null)
