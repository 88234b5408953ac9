# Shared by the bench/*.sh scripts: settings, a fresh demo server, login,
# /metrics, and reading loadgen's RESULT line. BENCH_SERVER_ERR (a path)
# keeps the server's standard error after the run (it is in the scratch
# directory, removed on exit, otherwise).
# shellcheck shell=bash disable=SC2034

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${TIEMCHUNG_BIN:-$ROOT/build/tiemchung}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
BB=$ROOT/build/bench
CONNS=${BENCH_CONNS:-64}
SECONDS_RUN=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-2}
SERVER_THREADS=${BENCH_SERVER_THREADS:-4}
LG_THREADS=${BENCH_LOADGEN_THREADS:-2}

for b in "$BIN" "$BB/loadgen" "$BB/hello" "$BB/sqlite_loop" "$BB/gen_citizens" \
	"$BB/import_loop"; do
	if [ ! -x "$b" ]; then
		echo "bench: $b is missing; run 'make bench' (or 'make all bench-build')" >&2
		exit 2
	fi
done

# A scratch directory on the repository's disk (the one the server's
# database would live on), removed on exit.
mkdir -p "$ROOT/build/bench"
WORK=$(mktemp -d "$ROOT/build/bench/run.XXXXXX")
SERVER_PID=
SERVER_NAME=
PORT=
BASE=
TOKEN=

fail() {
	echo "bench: FAILED: $*" >&2
	if [ -n "$SERVER_PID" ] && [ -s "$WORK/server.err" ]; then
		echo "bench: last lines of the server's log:" >&2
		tail -n 20 "$WORK/server.err" >&2
	fi
	exit 1
}

cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# machine_note: the figures are only as good as the machine is quiet.
# Measures how busy the CPUs are over one second before the run.
machine_note() {
	local a b busy
	a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	sleep 1
	b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	busy=$(echo "$a $b" | awk '{ w = $3 - $1; i = $4 - $2; printf "%d", (w + i) ? 100 * w / (w + i) : 0 }')
	echo "  $(nproc) CPUs, ${busy}% busy in the second before the run" \
		"(load average $(cut -d' ' -f1-3 /proc/loadavg))"
	if [ "$busy" -gt 15 ]; then
		echo "  WARNING: something else is using the CPUs: the figures below are low and noisy;"
		echo "  busiest processes now: $(top -b -n 2 -d 0.5 | awk '/^top -/ { f++ } f == 2 && $1 ~ /^[0-9]+$/ && n < 4 { printf "%s %s%%  ", $12, $9; n++ }')"
	fi
}

# wait_listening FILE: the port from a "listening on http://HOST:PORT" line.
wait_listening() {
	local _
	for _ in $(seq 1 100); do
		if grep -q '^listening on ' "$1" 2>/dev/null; then
			PORT=$(sed -n 's/^listening on http:\/\/.*:\([0-9]*\)$/\1/p' "$1")
			BASE=http://127.0.0.1:$PORT
			return 0
		fi
		kill -0 "$SERVER_PID" 2>/dev/null || fail "$SERVER_NAME exited at start"
		sleep 0.1
	done
	fail "$SERVER_NAME did not start listening within 10 s"
}

# start_tiemchung [DB]: a migrated database with the demo data (a fresh
# one by default, else DB brought up to date), and the server.
start_tiemchung() {
	local db=${1:-$WORK/tiemchung.db}
	"$BIN" migrate --db "$db" >"$WORK/setup.log" 2>&1 || fail "migrate (see $WORK/setup.log)"
	"$BIN" seed-demo --db "$db" >>"$WORK/setup.log" 2>&1 || fail "seed-demo"
	SERVER_NAME=tiemchung
	"$BIN" serve --db "$db" --listen 127.0.0.1:0 --access-log off \
		--threads "$SERVER_THREADS" --shutdown-grace 5 \
		>"$WORK/server.out" 2>"${BENCH_SERVER_ERR:-$WORK/server.err}" &
	SERVER_PID=$!
	wait_listening "$WORK/server.out"
}

start_hello() {
	SERVER_NAME=hello
	"$BB/hello" --threads "$SERVER_THREADS" "$@" >"$WORK/server.out" 2>"${BENCH_SERVER_ERR:-$WORK/server.err}" &
	SERVER_PID=$!
	wait_listening "$WORK/server.out"
}

# rss_mb: the server's resident memory in MB.
rss_mb() {
	awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

# thread_cpu FILE: CPU ticks used so far by each of the server's threads.
thread_cpu() {
	local t
	for t in /proc/"$SERVER_PID"/task/*; do
		# after "pid (comm) ", utime and stime are fields 12 and 13
		printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ <"$t/comm")" \
			"$(sed 's/.*) //' "$t/stat" | awk '{ print $12 + $13 }')"
	done >"$1"
}

# cpu_per_answer BEFORE AFTER ANSWERS: the server's CPU per answer, by
# thread name (the database writer thread is tc-writer).
cpu_per_answer() {
	LC_ALL=C join <(LC_ALL=C sort "$1") <(LC_ALL=C sort "$2") | awk -v n="$3" -v hz="$(getconf CLK_TCK)" '
		{ d[$2] += $5 - $3; tot += $5 - $3 }
		END {
			for (k in d) printf "%s %.0f us, ", k, d[k] / hz * 1e6 / n
			printf "all %.0f us", tot / hz * 1e6 / n
		}'
}

check_alive() {
	kill -0 "$SERVER_PID" 2>/dev/null || fail "$SERVER_NAME died during the run"
}

# stop_server: SIGTERM; the server must exit cleanly and soon.
stop_server() {
	local rc=0
	check_alive
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID" || rc=$?
	SERVER_PID=
	[ "$rc" = 0 ] || fail "$SERVER_NAME exited with status $rc on SIGTERM"
}

# get PATH: the body of one answer (fails on a non-2xx answer).
get() {
	"$BB/loadgen" -n 1 -c 1 --print-body -H "Authorization: Bearer $TOKEN" "$BASE$1"
}

# login [USER]: a bearer token for a demo account (admin by default).
login() {
	local out user=${1:-admin}
	out=$("$BB/loadgen" -n 1 -c 1 --print-body -m POST \
		-H 'Content-Type: application/json' \
		-b '{"username":"'"$user"'","password":"tiemchung-demo"}' \
		"$BASE/api/v1/auth/login") || fail "login as $user"
	TOKEN=$(printf '%s' "$out" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
	[ -n "$TOKEN" ] || fail "login answered without a token: $out"
}

# metrics FILE: /metrics into FILE.
metrics() {
	get /metrics >"$1" || fail "GET /metrics"
}

# metric NAME FILE: one sample, NAME with its labels as the file spells
# them (0 when absent).
metric() {
	awk -v n="$1" '$1 == n { v = $2 } END { print (v == "" ? 0 : v) }' "$2"
}

# metric_delta NAME BEFORE AFTER: how much a counter grew between two
# /metrics files (NAME with its labels, as the file spells it).
metric_delta() {
	calc %d "$(metric "$1" "$3") - $(metric "$1" "$2")"
}

# loadgen OUTFILE ARGS...: runs loadgen, shows its report, keeps it in OUTFILE.
loadgen() {
	local out=$1
	shift
	"$BB/loadgen" -c "$CONNS" -t "$LG_THREADS" "$@" >"$out" ||
		{ cat "$out"; fail "loadgen exited with an error"; }
	sed 's/^/    /' "$out"
	check_alive
}

# val KEY FILE: a field of the RESULT line.
val() {
	sed -n 's/^RESULT .*[ ]'"$1"'=\([^ ]*\).*/\1/p' "$2" | tail -n 1
}

# require_clean FILE: fail on non-2xx answers or transport errors; warn
# when the server closed keep-alive connections.
require_clean() {
	local non2xx errors closes
	non2xx=$(val non2xx "$1")
	errors=$(val errors "$1")
	closes=$(val conn_close "$1")
	[ "$non2xx" = 0 ] || fail "$non2xx answers were not 2xx ($(grep 'first problem' "$1"))"
	[ "$errors" = 0 ] || fail "$errors transport errors ($(grep 'first problem' "$1"))"
	if [ "$closes" != 0 ]; then
		echo "    WARNING: $closes answers carried Connection: close (keep-alive broken)"
	fi
}

# calc FORMAT EXPR: floating point arithmetic, e.g. calc %.1f '3 / 2'.
calc() {
	awk "BEGIN { printf \"$1\", $2 }" </dev/null
}

# goal LABEL MEASURED GOAL_TEXT MET(0/1)
goal() {
	local verdict=MISSED
	[ "$4" = 1 ] && verdict=met
	printf '  %-34s %-22s goal %-14s %s\n' "$1" "$2" "$3" "$verdict"
}
