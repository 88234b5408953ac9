#!/usr/bin/env bash
# The durable write path: POST /api/v1/facilities at 64 keep-alive
# connections against a fresh server with the demo data, then the same
# under strace to count WAL syncs per commit, then the plain SQLite loop
# (one fsync per row) as the baseline. Prints figures and goals; fails
# only on errors (a non-2xx answer, a transport error, a server crash or
# an unclean stop), never on a missed goal.
#
# Settings (environment): BENCH_CONNS (64), BENCH_SECONDS (10),
# BENCH_WARMUP (2), BENCH_STRACE_SECONDS (3), BENCH_SERVER_THREADS (4),
# BENCH_LOADGEN_THREADS (2), TIEMCHUNG_BIN (build/tiemchung).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
STRACE_SECONDS=${BENCH_STRACE_SECONDS:-3}

# {n} makes names unique within one loadgen run; the tag per run makes
# them unique across runs.
body() {
	printf '{"kind":"vaccination_site","name":"bench %s {n}","unit":"00001","daily_capacity":100}' "$1"
}
post() {
	local out=$1 tag=$2
	shift 2
	loadgen "$out" -m POST -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' -b "$(body "$tag")" "$@" \
		"$BASE/api/v1/facilities"
	require_clean "$out"
}

echo "== write path: POST /api/v1/facilities, $CONNS connections" \
	"(server --threads $SERVER_THREADS, loadgen $LG_THREADS threads)"
machine_note
start_tiemchung
login
echo "  server pid $SERVER_PID, port $PORT, database $WORK/tiemchung.db"

echo "-- warm-up ${WARMUP} s"
post "$WORK/warm.txt" warm --label warm-up -d "$WARMUP"

echo "-- measured run ${SECONDS_RUN} s"
rss0=$(rss_mb)
thread_cpu "$WORK/cpu0"
metrics "$WORK/m0"
post "$WORK/run.txt" run --label writes --timeline -d "$SECONDS_RUN"
sleep 0.3 # let the last suspended requests commit before reading /metrics
metrics "$WORK/m1"
thread_cpu "$WORK/cpu1"
rss1=$(rss_mb)

commits=$(metric_delta tiemchung_db_commits_total "$WORK/m0" "$WORK/m1")
jobs=$(metric_delta tiemchung_db_write_jobs_total "$WORK/m0" "$WORK/m1")
bsum=$(metric_delta tiemchung_db_commit_batch_size_sum "$WORK/m0" "$WORK/m1")
bcount=$(metric_delta tiemchung_db_commit_batch_size_count "$WORK/m0" "$WORK/m1")
batch=$(calc %.1f "($bcount > 0 ? $bsum / $bcount : 0)")
wait_s=$(metric tiemchung_http_resume_wait_max_seconds "$WORK/m1")
wait_ms=$(calc %.2f "$wait_s * 1000")
rps=$(val rps "$WORK/run.txt")
p50=$(calc %.2f "$(val p50_us "$WORK/run.txt") / 1000")
p99=$(calc %.2f "$(val p99_us "$WORK/run.txt") / 1000")
maxl=$(calc %.2f "$(val max_us "$WORK/run.txt") / 1000")
minsec=$(val min_sec "$WORK/run.txt")
secs=$(val seconds "$WORK/run.txt")
echo "  server side: $jobs write jobs in $commits commits" \
	"($(calc %.0f "$commits / $secs") commits/s), mean batch $batch jobs," \
	"max wait after resume $wait_ms ms (since server start)"
echo "  server memory: $rss0 MB before the run, $rss1 MB after"
echo "  server CPU per write: $(cpu_per_answer "$WORK/cpu0" "$WORK/cpu1" "$jobs")" \
	"(tc-writer: the database writer thread); loadgen $(val cpu_s "$WORK/run.txt") s in all"
if [ "$(calc %d "($batch < 2)")" = 1 ]; then
	echo "  WARNING: mean batch size $batch: group commit is hardly batching"
fi

echo "-- ${STRACE_SECONDS} s under strace -f -c -e trace=fsync,fdatasync (slows the server)"
sync_line="skipped"
if ! command -v strace >/dev/null 2>&1; then
	echo "  strace is not installed (make deps-bench installs it): skipped"
else
	strace -f -c -e trace=fsync,fdatasync -o "$WORK/strace.txt" -p "$SERVER_PID" \
		2>"$WORK/strace.err" &
	strace_pid=$!
	sleep 1
	if ! kill -0 "$strace_pid" 2>/dev/null; then
		echo "  strace could not attach: $(head -n 2 "$WORK/strace.err")"
		wait "$strace_pid" || true
	else
		metrics "$WORK/s0"
		post "$WORK/strace_run.txt" strace --label writes-under-strace -d "$STRACE_SECONDS"
		sleep 0.5
		metrics "$WORK/s1"
		kill -INT "$strace_pid"
		wait "$strace_pid" || true
		check_alive
		s_commits=$(metric_delta tiemchung_db_commits_total "$WORK/s0" "$WORK/s1")
		s_jobs=$(metric_delta tiemchung_db_write_jobs_total "$WORK/s0" "$WORK/s1")
		# strace -c: "% time seconds usecs/call calls [errors] syscall"
		fsyncs=$(awk '$NF == "fsync" { print $4 }' "$WORK/strace.txt")
		fdatasyncs=$(awk '$NF == "fdatasync" { print $4 }' "$WORK/strace.txt")
		fsyncs=${fsyncs:-0}
		fdatasyncs=${fdatasyncs:-0}
		syncs=$((fsyncs + fdatasyncs))
		echo "  $s_jobs write jobs in $s_commits commits; $fsyncs fsync + $fdatasyncs fdatasync" \
			"= $syncs syncs, $(calc %.2f "($s_commits > 0 ? $syncs / $s_commits : 0)") per commit"
		sync_line="$syncs syncs / $s_commits commits"
		if [ "$s_commits" -gt 0 ] && [ "$syncs" -lt "$s_commits" ]; then
			echo "  WARNING: fewer syncs than commits: some answers did not wait for an fsync"
		fi
	fi
fi

stop_server # frees the CPUs for the loops
# Write the server's files back first, so that the loops' fsyncs do not
# pay for them.
sync
sleep 1

# best_of_two OUT ARGS...: runs sqlite_loop twice (single runs on this
# virtual machine vary by about 15%), keeps the faster run in OUT.
best_of_two() {
	local out=$1 a b f
	shift
	"$BB/sqlite_loop" "$@" >"$out.1" || fail "sqlite_loop $*"
	"$BB/sqlite_loop" "$@" >"$out.2" || fail "sqlite_loop $*"
	for f in "$out.1" "$out.2"; do
		sed -n '1s/^/    /p' "$f"
	done
	a=$(val rows_per_s "$out.1")
	b=$(val rows_per_s "$out.2")
	if [ "$(calc %d "($a >= $b)")" = 1 ]; then cp "$out.1" "$out"; else cp "$out.2" "$out"; fi
}

echo "-- plain SQLite loop (one-row durable transactions), best of 2 x 3 s, same disk"
best_of_two "$WORK/loop.txt" -t 3 "$WORK/loop.db"
loop=$(val rows_per_s "$WORK/loop.txt")
ratio=$(calc %.1f "($loop > 0 ? $rps / $loop : 0)")

# What the writer thread could do alone: the facility job's SQL in
# batches of the size measured above, no HTTP, a CPU nearly to itself.
nb=$(calc %d "($batch < 1 ? 1 : $batch + 0.5)")
echo "-- for reference: the facility job's SQL alone, batches of $nb, best of 2 x 3 s"
best_of_two "$WORK/ceil.txt" -t 3 -b "$nb" -j facility "$WORK/loop.db"
ceil=$(val rows_per_s "$WORK/ceil.txt")
ceil_cpu=$(val cpu_us_per_row "$WORK/ceil.txt")

echo "== write path results"
echo "  writes/s $rps  p50 $p50 ms  p99 $p99 ms  max $maxl ms  slowest second $minsec answers"
echo "  mean batch $batch  max wait after resume $wait_ms ms  syncs: $sync_line"
echo "  plain loop $loop rows/s  ratio $ratio x"
echo "  writer's SQL alone: $ceil jobs/s at batch $nb ($ceil_cpu us CPU per job);" \
	"the server reaches $(calc %.0f "($ceil > 0 ? 100 * $rps / $ceil : 0)")% of it"
goal "writes/s at $CONNS connections" "$rps" ">= 20000" "$(calc %d "($rps >= 20000)")"
goal "p99 latency" "$p99 ms" "< 10 ms" "$(calc %d "($p99 < 10)")"
goal "max wait after resume" "$wait_ms ms" "< 1000 ms" "$(calc %d "($wait_ms < 1000)")"
goal "writes/s over plain-loop rows/s" "${ratio}x" ">= 4x" "$(calc %d "($ratio >= 4)")"
echo "RESULT bench=write rps=$rps p50_ms=$p50 p99_ms=$p99 max_ms=$maxl batch=$batch" \
	"resume_wait_max_ms=$wait_ms loop_rows_per_s=$loop ratio=$ratio" \
	"writer_sql_jobs_per_s=$ceil"
