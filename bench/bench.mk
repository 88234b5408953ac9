# Benchmarks (included by the top-level Makefile). They print figures and
# never pass or fail on timing; see bench/README.md.
#   make bench          every benchmark (installs strace first)
#   make bench-write    the durable write path only
#   make bench-read     the read path only
#   make bench-import   importing a million citizens, against a plain C loop
#   make bench-checkin  POST /api/v1/checkin over a million citizens
#   make bench-stock    64 clients moving stock of the same few lots, balances proved
#   make bench-dose     256 clients recording injections over a million people, against
#                       the same write one dose per transaction; SQLite and PostgreSQL
#   make bench-crash    SIGKILL the server while clients record injections, several rounds
#   make bench-build    just the benchmark programs, into build/bench/

BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -pthread
BENCH_PROGS  := build/bench/loadgen build/bench/hello build/bench/sqlite_loop \
                build/bench/gen_citizens build/bench/import_loop build/bench/dose_loop

.PHONY: bench bench-build bench-write bench-read bench-import bench-checkin bench-stock \
        bench-dose bench-crash \
        deps-bench

bench-build: $(BENCH_PROGS)

build/bench/loadgen: bench/loadgen.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -pthread
build/bench/hello: bench/hello.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libmicrohttpd) -o $@ $< \
		$(shell pkg-config --libs libmicrohttpd) -pthread
build/bench/sqlite_loop: bench/sqlite_loop.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags sqlite3) -o $@ $< \
		$(shell pkg-config --libs sqlite3)
build/bench/gen_citizens: bench/gen_citizens.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $<
build/bench/import_loop: bench/import_loop.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags sqlite3) -o $@ $< \
		$(shell pkg-config --libs sqlite3)

deps-bench:
	@$(MAKE) --no-print-directory deps DEPS_ARGS=--bench

# deps-bench first (it may install the compiler and libraries the build
# needs), then the build, then the runs one after the other so that they
# do not share the CPUs. The import comes before the check-in, which
# reuses the citizens it imported (build/bench/citizens.N/).
bench: deps-bench
	@$(MAKE) --no-print-directory $(BIN) bench-build
	@TIEMCHUNG_BIN=$(BIN) bench/write_path.sh
	@TIEMCHUNG_BIN=$(BIN) bench/read_path.sh
	@TIEMCHUNG_BIN=$(BIN) bench/import.sh
	@TIEMCHUNG_BIN=$(BIN) bench/checkin.sh
	@TIEMCHUNG_BIN=$(BIN) bench/stock.sh
	@TIEMCHUNG_BIN=$(BIN) bench/dose_write.sh

bench-write: $(BIN) bench-build
	@TIEMCHUNG_BIN=$(BIN) bench/write_path.sh
bench-read: $(BIN) bench-build
	@TIEMCHUNG_BIN=$(BIN) bench/read_path.sh
bench-import: $(BIN) bench-build
	@TIEMCHUNG_BIN=$(BIN) bench/import.sh
bench-checkin: $(BIN) bench-build
	@TIEMCHUNG_BIN=$(BIN) bench/checkin.sh
bench-stock: $(BIN) bench-build
	@TIEMCHUNG_BIN=$(BIN) bench/stock.sh

# The dose benchmarks link the project's library: the injection's write
# is the server's own code (bench/dose_prep.c).
DOSE_PREP := bench/dose_prep.c bench/dose_prep.h
build/bench/dose_loop: bench/dose_loop.c $(DOSE_PREP) build/rel/libtc.a
	@mkdir -p $(@D)
	$(CC) $(REL_CFLAGS) -Ibench -o $@ bench/dose_loop.c bench/dose_prep.c build/rel/libtc.a $(LIBS)

bench-dose: $(BIN) bench-build build/tests/freeport
	@TIEMCHUNG_BIN=$(BIN) bench/dose_write.sh
bench-crash: $(BIN) bench-build build/tests/crash build/tests/freeport
	@TIEMCHUNG_BIN=$(BIN) bench/crash.sh
