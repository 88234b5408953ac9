# Tests: every C test file is its own cmocka program built with ASan and
# UBSan against the same library the server is built from.
#   tests/unit/test_X.c -> build/tests/unit_X
#   tests/db/test_X.c   -> build/tests/db_X    (run on SQLite and PostgreSQL)
#   tests/api/test_X.c  -> build/tests/api_X   (real server, both backends)

TEST_CFLAGS = $(ASAN_CFLAGS) -Itests/support
TEST_LIBS   = $(LIBS) -lcmocka -lcurl

UNIT_TESTS := $(patsubst tests/unit/test_%.c,build/tests/unit_%,$(wildcard tests/unit/test_*.c))
DB_TESTS   := $(patsubst tests/db/test_%.c,build/tests/db_%,$(wildcard tests/db/test_*.c))
API_TESTS  := $(patsubst tests/api/test_%.c,build/tests/api_%,$(wildcard tests/api/test_*.c))

build/tests/tsupport.o: tests/support/tsupport.c tests/support/tsupport.h
	@mkdir -p $(@D)
	@$(CC) $(TEST_CFLAGS) -c -o $@ $<

build/tests/freeport: tests/support/freeport.c
	@mkdir -p $(@D)
	@$(CC) -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -o $@ $<

build/tests/unit_%: tests/unit/test_%.c build/asan/libtc.a build/tests/tsupport.o
	@mkdir -p $(@D)
	@$(CC) $(TEST_CFLAGS) -o $@ $< build/tests/tsupport.o build/asan/libtc.a $(TEST_LIBS)
build/tests/db_%: tests/db/test_%.c build/asan/libtc.a build/tests/tsupport.o
	@mkdir -p $(@D)
	@$(CC) $(TEST_CFLAGS) -o $@ $< build/tests/tsupport.o build/asan/libtc.a $(TEST_LIBS)
build/tests/api_%: tests/api/test_%.c build/asan/libtc.a build/tests/tsupport.o
	@mkdir -p $(@D)
	@$(CC) $(TEST_CFLAGS) -o $@ $< build/tests/tsupport.o build/asan/libtc.a $(TEST_LIBS)

# The crash test drives the real server (any build: TIEMCHUNG_BIN) and
# checks the database with the release library; it shares its set-up with
# the dose benchmarks (bench/dose_prep.c).
build/tests/crash: tests/crash/crash.c bench/dose_prep.c bench/dose_prep.h build/rel/libtc.a
	@mkdir -p $(@D)
	@$(CC) $(REL_CFLAGS) -Ibench -o $@ tests/crash/crash.c bench/dose_prep.c build/rel/libtc.a $(LIBS)

# The browser test drives Debian's chromium with playwright-core from npm.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

-include tests/fuzz/fuzz.mk

.PHONY: test-build
test-build: $(BIN) $(ASAN_BIN) $(UNIT_TESTS) $(DB_TESTS) $(API_TESTS) \
            build/tests/freeport build/tests/crash node_modules/.package-lock.json \
            $(WEB_VENDOR) fuzz-build
