#!/usr/bin/env bash
# The crash test, long: BENCH_CRASH_ROUNDS (10) rounds of many clients
# (BENCH_CRASH_CLIENTS, 128) recording injections while the server is
# killed with SIGKILL after about BENCH_CRASH_KILL_MS (2000) ms, each
# followed by a restart and the checks of tests/crash/crash.c: every
# acknowledged dose stored exactly once, no half-written visit, the
# unanswered requests retried with their Idempotency-Key given at most
# once, and at the end `tiemchung stock check` and `stats rebuild`. On
# SQLite, then on a throwaway PostgreSQL (BENCH_CRASH_PG=0 skips it),
# where only the program is killed. Prints the counts of every round;
# fails when a check fails.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
ROUNDS=${BENCH_CRASH_ROUNDS:-10}
CLIENTS=${BENCH_CRASH_CLIENTS:-128}
KILL_MS=${BENCH_CRASH_KILL_MS:-2000}
VISITS=${BENCH_CRASH_VISITS:-100000}
DO_PG=${BENCH_CRASH_PG:-1}
CRASH=$ROOT/build/tests/crash
PGDIR=
cd "$ROOT"
[ -x "$CRASH" ] || fail "$CRASH is missing (make build/tests/crash)"
trap '[ -n "$PGDIR" ] && "$ROOT/tests/support/pg.sh" stop "$PGDIR"; cleanup' EXIT

status=0
echo "== crash: $ROUNDS rounds of SIGKILL under $CLIENTS clients recording injections"
machine_note
echo "-- SQLite"
"$CRASH" --bin "$BIN" --db "$WORK/crash.db" --rounds "$ROUNDS" --clients "$CLIENTS" \
	--visits "$VISITS" --kill-ms "$KILL_MS" | sed 's/^/  /' || status=1
if [ "$DO_PG" != 0 ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	echo "-- PostgreSQL (the program is killed, the database keeps running)"
	[ -x "$ROOT/build/tests/freeport" ] || make -s build/tests/freeport >/dev/null
	chmod 755 "$WORK" # initdb runs as postgres when we are root
	PGDIR=$WORK/pg
	url=$("$ROOT/tests/support/pg.sh" start "$PGDIR") || fail "cannot start PostgreSQL"
	"$CRASH" --bin "$BIN" --db "$url" --rounds "$ROUNDS" --clients "$CLIENTS" \
		--visits "$VISITS" --kill-ms "$KILL_MS" | sed 's/^/  /' || status=1
fi
echo "RESULT bench=crash rounds=$ROUNDS clients=$CLIENTS ok=$([ $status = 0 ] && echo yes || echo no)"
exit $status
