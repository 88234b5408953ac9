#!/bin/sh
# Runs every test: unit tests, database and API tests on SQLite and on a
# throwaway PostgreSQL cluster, robustness, backup and shutdown tests, the
# short fuzz runs and the browser test. Each suite prints TAP lines; this
# script counts them and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

export TIEMCHUNG_BIN=${TIEMCHUNG_BIN:-build/asan/tiemchung}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CMOCKA_MESSAGE_OUTPUT=TAP

work=$(mktemp -d /tmp/tiemchung-test.XXXXXX)
chmod 755 "$work"
export TMPDIR="$work"
results="$work/results.tap"
: >"$results"
pgdir="$work/pg"

cleanup() {
	[ -d "$pgdir/data" ] && tests/support/pg.sh stop "$pgdir"
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# run_suite NAME COMMAND...: runs a suite, keeps its TAP lines.
run_suite() {
	name=$1
	shift
	log="$work/$(echo "$name" | tr ' /' '__').log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	status=$?
	secs=$(( $(date +%s) - start ))
	grep -E '^(not )?ok ' "$log" | sed "s/^\(not ok\|ok\) [0-9]* *-\{0,1\} */\1 - $name: /" >>"$results"
	pass=$(grep -cE '^ok ' "$log")
	fail=$(grep -cE '^not ok ' "$log")
	if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "not ok - $name: exited with status $status" >>"$results"
		fail=1
	fi
	printf '%-34s %4d passed %3d failed  %4ss\n' "$name" "$pass" "$fail" "$secs"
	if [ "$fail" -ne 0 ]; then
		echo "---- $name output (last 80 lines) ----"
		tail -n 80 "$log"
		echo "----"
	fi
}

for t in build/tests/unit_*; do
	run_suite "unit $(basename "$t" | sed 's/^unit_//')" "$t"
done

pg_url=$(tests/support/pg.sh start "$pgdir")
if [ -z "$pg_url" ]; then
	echo "not ok - could not start the test PostgreSQL cluster" >>"$results"
fi
export TC_TEST_PG="$pg_url"

for backend in sqlite pg; do
	for t in build/tests/db_* build/tests/api_*; do
		TC_TEST_BACKEND=$backend run_suite "$(basename "$t") [$backend]" "$t"
	done
done

# A server killed with SIGKILL while clients record injections, twice,
# restarted each time (bench/crash.sh is the long version).
run_suite "crash (SIGKILL) [sqlite]" build/tests/crash --bin "$TIEMCHUNG_BIN" \
	--db "$work/crash.db" --rounds 2 --clients 32 --visits 20000 --kill-ms 1000

run_suite "fuzz (short runs)" make --no-print-directory fuzz-short
run_suite "browser" tests/browser/run.sh

passed=$(grep -c '^ok ' "$results")
failed=$(grep -c '^not ok ' "$results")
if [ "$failed" -ne 0 ]; then
	echo
	echo "Failed:"
	grep '^not ok ' "$results"
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
