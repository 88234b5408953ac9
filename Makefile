# tiemchung — national COVID-19 vaccination management platform.
#   make run    install what is missing, build, create data/tiemchung.db with
#               demo data, serve on http://127.0.0.1:8080
#   make test   every test, on SQLite and on a throwaway PostgreSQL
#   make bench  benchmarks (print their figures)
#   make fmt    clang-format the C sources

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium libcrypto libcurl libutf8proc libqrencode \
           libpng libzip expat freexl libzstd
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
BASE     = -std=c11 -D_GNU_SOURCE -g -pthread $(WARN) -Ibuild/gen -Isrc $(PKG_CFLAGS)
LIBS     = $(shell pkg-config --libs $(PKGS)) -pthread

REL_CFLAGS   = $(BASE) -O2
ASAN_CFLAGS  = $(BASE) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=all

SRCS    := $(shell find src -name '*.c' ! -name main.c | sort)
SQL     := $(sort $(wildcard sql/sqlite/*.sql) $(wildcard sql/postgresql/*.sql))
GEN     := build/gen/migrations.c

REL_OBJS  := $(patsubst src/%.c,build/rel/%.o,$(SRCS)) build/rel/gen/migrations.o
ASAN_OBJS := $(patsubst src/%.c,build/asan/%.o,$(SRCS)) build/asan/gen/migrations.o

BIN      := build/tiemchung
ASAN_BIN := build/asan/tiemchung

DB      ?= data/tiemchung.db
LISTEN  ?= 127.0.0.1:8080

.PHONY: all deps run test test-unit bench fmt fmt-check clean

all: $(BIN)

# Installs with apt-get whatever Debian packages are missing (the list is
# scripts/deps.sh's); needs root, or sudo, the first time.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	@missing="$$(scripts/deps.sh $(DEPS_ARGS))"; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# ---- build -----------------------------------------------------------------

build/tools/embed_sql: tools/embed_sql.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -o $@ $<

$(GEN): build/tools/embed_sql $(SQL)
	@mkdir -p $(@D)
	build/tools/embed_sql $@ $(foreach f,$(SQL),$(word 2,$(subst /, ,$(f))):$(f))

build/rel/%.o: src/%.c
	@mkdir -p $(@D)
	@$(CC) $(REL_CFLAGS) -MMD -MP -c -o $@ $<
build/asan/%.o: src/%.c
	@mkdir -p $(@D)
	@$(CC) $(ASAN_CFLAGS) -MMD -MP -c -o $@ $<
build/rel/gen/migrations.o: $(GEN)
	@mkdir -p $(@D)
	@$(CC) $(REL_CFLAGS) -c -o $@ $<
build/asan/gen/migrations.o: $(GEN)
	@mkdir -p $(@D)
	@$(CC) $(ASAN_CFLAGS) -c -o $@ $<

build/rel/libtc.a: $(REL_OBJS)
	@rm -f $@
	@ar rcs $@ $^
build/asan/libtc.a: $(ASAN_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(BIN): build/rel/main.o build/rel/libtc.a
	@$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)
$(ASAN_BIN): build/asan/main.o build/asan/libtc.a
	@$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LIBS)

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- web -------------------------------------------------------------------

# The QR decoder the site pages' camera reader runs (package.json's
# dependencies), copied where the server serves web/ from: the server
# opens no symbolic links, and nothing generated is committed.
WEB_VENDOR := web/vendor/jsQR.js
web/vendor/jsQR.js: node_modules/.package-lock.json
	@mkdir -p $(@D)
	cp node_modules/jsqr/dist/jsQR.js $@

# ---- run -------------------------------------------------------------------

run: deps $(BIN) $(WEB_VENDOR)
	@mkdir -p $(dir $(DB))
	$(BIN) migrate --db $(DB)
	$(BIN) seed-demo --db $(DB) --stock
	@echo "Open http://$(LISTEN)/ and log in with one of the accounts above."
	$(BIN) serve --db $(DB) --listen $(LISTEN)

# ---- tests -----------------------------------------------------------------

include tests/tests.mk

test: deps
	@$(MAKE) --no-print-directory test-build
	@tests/run.sh

# ---- benchmarks ------------------------------------------------------------

include bench/bench.mk

# ---- formatting ------------------------------------------------------------

fmt:
	clang-format -i $$(find src tests bench tools -name '*.[ch]')
fmt-check:
	@clang-format --dry-run --Werror $$(find src tests bench tools -name '*.[ch]')

clean:
	rm -rf build web/vendor
