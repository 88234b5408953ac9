#!/usr/bin/env bash
# The read path: authenticated GET /api/v1/units?parent=VN (63 provinces,
# about 9 KB of JSON) at 64 keep-alive connections against a fresh server
# with the demo data; then the libmicrohttpd ceiling, bench/hello, with
# the same threading and the same loadgen settings (a small JSON answer,
# and once more with an answer as large as the units list). Prints
# figures and the goal; fails only on errors, never on a missed goal.
#
# Settings (environment): BENCH_CONNS (64), BENCH_SECONDS (10),
# BENCH_WARMUP (2), BENCH_SERVER_THREADS (4), BENCH_LOADGEN_THREADS (2),
# TIEMCHUNG_BIN (build/tiemchung).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

PATH_UNITS='/api/v1/units?parent=VN'

echo "== read path: GET $PATH_UNITS, $CONNS connections" \
	"(server --threads $SERVER_THREADS, loadgen $LG_THREADS threads)"
machine_note
start_tiemchung
login
size=$(get "$PATH_UNITS" | wc -c) || fail "GET $PATH_UNITS"
provinces=$(get "$PATH_UNITS" | grep -o '"level":"province"' | wc -l)
echo "  server pid $SERVER_PID, port $PORT; the answer is $size bytes, $provinces provinces"
loadgen "$WORK/warm.txt" --label warm-up -d "$WARMUP" \
	-H "Authorization: Bearer $TOKEN" "$BASE$PATH_UNITS"
require_clean "$WORK/warm.txt"
rss0=$(rss_mb)
thread_cpu "$WORK/cpu0"
metrics "$WORK/m0"
loadgen "$WORK/units.txt" --label units --timeline -d "$SECONDS_RUN" \
	-H "Authorization: Bearer $TOKEN" "$BASE$PATH_UNITS"
require_clean "$WORK/units.txt"
metrics "$WORK/m1"
thread_cpu "$WORK/cpu1"
rss1=$(rss_mb)
wj=$(metric_delta tiemchung_db_write_jobs_total "$WORK/m0" "$WORK/m1")
echo "  server memory: $rss0 MB before the run, $rss1 MB after; write jobs during the reads: $wj"
echo "  server CPU per read: $(cpu_per_answer "$WORK/cpu0" "$WORK/cpu1" "$(val requests "$WORK/units.txt")")"
stop_server # frees the CPUs for the ceiling

echo "-- ceiling: bench/hello, small JSON answer"
start_hello
loadgen "$WORK/hwarm.txt" --label warm-up -d "$WARMUP" "$BASE/"
loadgen "$WORK/hello.txt" --label hello --timeline -d "$SECONDS_RUN" "$BASE/"
require_clean "$WORK/hello.txt"
stop_server

echo "-- for reference: bench/hello with a $size-byte answer"
start_hello --size "$size"
loadgen "$WORK/hwarm2.txt" --label warm-up -d "$WARMUP" "$BASE/"
loadgen "$WORK/hello_sized.txt" --label hello-sized -d "$SECONDS_RUN" "$BASE/"
require_clean "$WORK/hello_sized.txt"
stop_server

u_rps=$(val rps "$WORK/units.txt")
u_p99=$(calc %.2f "$(val p99_us "$WORK/units.txt") / 1000")
h_rps=$(val rps "$WORK/hello.txt")
h_p99=$(calc %.2f "$(val p99_us "$WORK/hello.txt") / 1000")
s_rps=$(val rps "$WORK/hello_sized.txt")
s_p99=$(calc %.2f "$(val p99_us "$WORK/hello_sized.txt") / 1000")
pct=$(calc %.1f "($h_rps > 0 ? 100 * $u_rps / $h_rps : 0)")
pct_sized=$(calc %.1f "($s_rps > 0 ? 100 * $u_rps / $s_rps : 0)")

echo "== read path results"
printf '  %-32s %10s req/s  p99 %7s ms\n' "GET $PATH_UNITS" "$u_rps" "$u_p99"
printf '  %-32s %10s req/s  p99 %7s ms\n' "hello (small answer)" "$h_rps" "$h_p99"
printf '  %-32s %10s req/s  p99 %7s ms\n' "hello ($size-byte answer)" "$s_rps" "$s_p99"
echo "  units / hello: $pct% (of the same-size hello: $pct_sized%)"
goal "reads/s as a share of hello" "$pct%" ">= 30%" "$(calc %d "($pct >= 30)")"
echo "RESULT bench=read units_rps=$u_rps units_p99_ms=$u_p99 hello_rps=$h_rps" \
	"hello_p99_ms=$h_p99 hello_sized_rps=$s_rps pct=$pct pct_sized=$pct_sized"
