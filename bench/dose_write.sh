#!/usr/bin/env bash
# Recording injections: BENCH_DOSE_CONNS (256) keep-alive connections, as
# the Phúc Xá site's staff, each request one
#   POST /api/v1/visits/{id}/injection {"lot_id": L}
# for a distinct person screened eligible (a first dose), with 1,000,000
# people in the database. Each injection is one transaction (the dose,
# the stock movement, the counters, the visit, the audit entry), answered
# only after its group commit is durable. Then, in the same run:
#   - BENCH_STRACE_SECONDS more under strace: fsync + fdatasync calls
#     against commits, and the server's own account of how each commit
#     was made durable (tiemchung_db_commit_syncs_total: the completer's
#     sync, a later commit's sync of the same log, or within the COMMIT),
#     which must cover every commit (every answer durable);
#   - with the server stopped: doses stored against 201 answers counted,
#     `tiemchung stock check`, `tiemchung stats rebuild` if the program
#     has it;
#   - bench/dose_loop, the same job with no HTTP, one dose per transaction,
#     synchronous=FULL (the durable baseline) and NORMAL (the CPU ceiling
#     of one writer without group commit); and 128 doses a transaction
#     (--batch), whose CPU per dose is the writer thread's own cost;
#   - the HTTP run again against a throwaway PostgreSQL
#     (tests/support/pg.sh), when its binaries are installed.
#
# Set-up shortcuts (throwaway databases only, see bench/dose_prep.h): the
# people and the visits are bulk-inserted with SQL; the lot, the session
# and the stock go through the program's own functions.
#
# Settings (environment): BENCH_DOSE_CITIZENS (1000000), BENCH_DOSE_CONNS
# (256), BENCH_DOSE_RATE (40000: visits prepared per second of each run;
# a faster server would run out and get 409s), BENCH_DOSE_LOOP_SECONDS (5),
# BENCH_DOSE_PG (1: also on PostgreSQL; 0: skip), BENCH_SECONDS (10),
# BENCH_WARMUP (2), BENCH_STRACE_SECONDS (3), BENCH_SERVER_THREADS (4),
# BENCH_LOADGEN_THREADS (2), TIEMCHUNG_BIN (build/tiemchung), BENCH_PERF (a path:
# perf record -g of the server during the measured run, into PATH.sqlite
# and PATH.pg).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
CITIZENS=${BENCH_DOSE_CITIZENS:-1000000}
CONNS=${BENCH_DOSE_CONNS:-256}
RATE=${BENCH_DOSE_RATE:-40000}
LOOP_SECONDS=${BENCH_DOSE_LOOP_SECONDS:-5}
DO_PG=${BENCH_DOSE_PG:-1}
STRACE_SECONDS=${BENCH_STRACE_SECONDS:-3}
LOOP=$BB/dose_loop
DB=$WORK/tiemchung.db
PGDIR=
cd "$ROOT" # migrate and dose_loop read data/ from here

[ -x "$LOOP" ] || fail "$LOOP is missing; run 'make bench-build'"

pg_cleanup() {
	if [ -n "$PGDIR" ]; then
		"$ROOT/tests/support/pg.sh" stop "$PGDIR" || true
		PGDIR=
	fi
}
trap 'pg_cleanup; cleanup' EXIT

# prep DB VISITS: adds the people (first time) and VISITS visits; sets
# LOT and FIRST (the first visit's id).
prep() {
	local out
	out=$("$LOOP" --db "$1" --citizens "$CITIZENS" --prep "$2") ||
		fail "set-up (dose_loop --prep): $out"
	printf '%s\n' "$out" | grep -v '^PREP' | sed 's/^/  /'
	LOT=$(printf '%s' "$out" | sed -n 's/^PREP .*lot_id=\([0-9]*\).*/\1/p')
	FIRST=$(printf '%s' "$out" | sed -n 's/^PREP .*first_visit=\([0-9]*\).*/\1/p')
	[ -n "$LOT" ] && [ -n "$FIRST" ] || fail "set-up printed no PREP line: $out"
}

# script FILE FROM COUNT: one injection per visit FROM .. FROM+COUNT-1.
script() {
	awk -v a="$2" -v n="$3" -v lot="$LOT" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "POST /api/v1/visits/%.0f/injection {\"lot_id\":%d}\n", a + i, lot }' >"$1"
}

# inject OUT SCRIPT ARGS...: loadgen over a script; every answer must be 201.
inject() {
	local out=$1 s=$2
	shift 2
	loadgen "$out" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-H "Idempotency-Key: bench-$$-$(basename "$s")-{n}" --script "$s" "$@" "$BASE/"
	require_clean "$out"
	grep -q '^  statuses: 201=[0-9]*$' "$out" || fail "answers other than 201: $(grep statuses "$out")"
}

# http_run DB LABEL: the server on DB, the probe, warm-up and measured run
# (and strace on SQLite); leaves the figures in $WORK/LABEL.*; sets ANSWERS
# (every 201 counted) and INFLIGHT (requests that may be written without
# being counted: the connections at the end of each loadgen run).
# phase_ms NAME LABELS RUN: the mean of a histogram over the measured run
# (between RUN.m0 and RUN.m1), in milliseconds.
phase_ms() {
	local n
	n=$(metric_delta "$1_count$2" "$WORK/$3.m0" "$WORK/$3.m1")
	calc %.1f "($n > 0 ? ($(metric "$1_sum$2" "$WORK/$3.m1") - $(metric "$1_sum$2" "$WORK/$3.m0")) * 1000 / $n : 0)"
}

http_run() {
	local db=$1 label=$2 warm_n run_n str_n base
	warm_n=$((RATE * WARMUP))
	run_n=$((RATE * SECONDS_RUN))
	str_n=$((RATE * STRACE_SECONDS / 4 + 1000))
	echo "-- set-up: $CITIZENS people, a lot shipped to the site, a session today," \
		"$((1 + warm_n + run_n + str_n)) visits screened eligible"
	local t0=$SECONDS
	prep "$db" $((1 + warm_n + run_n + str_n))
	echo "  set-up took $((SECONDS - t0)) s; lot $LOT, visits from $FIRST"
	base=$FIRST
	script "$WORK/probe.txt" "$base" 1
	script "$WORK/warm.txt" $((base + 1)) "$warm_n"
	script "$WORK/run.txt" $((base + 1 + warm_n)) "$run_n"
	script "$WORK/strace.txt" $((base + 1 + warm_n + run_n)) "$str_n"
	start_tiemchung "$db"
	login phucxa.staff
	echo "  server pid $SERVER_PID, port $PORT, database $db"
	local body
	body=$("$BB/loadgen" -n 1 -c 1 --print-body -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' --script "$WORK/probe.txt" "$BASE/") ||
		fail "the first injection failed: $body"
	printf '%s' "$body" | grep -q '"dose"' || fail "the first injection answered without a dose: $body"
	echo "  first injection: $(printf '%s' "$body" | head -c 200)..."
	ANSWERS=1
	INFLIGHT=0

	echo "-- warm-up ${WARMUP} s"
	inject "$WORK/$label.warm" "$WORK/warm.txt" --label warm-up -d "$WARMUP"
	ANSWERS=$((ANSWERS + $(val s2xx "$WORK/$label.warm")))
	INFLIGHT=$((INFLIGHT + CONNS))

	echo "-- measured run ${SECONDS_RUN} s, $CONNS connections"
	rss0=$(rss_mb)
	thread_cpu "$WORK/$label.cpu0"
	metrics "$WORK/$label.m0"
	local perf_pid=
	if [ -n "${BENCH_PERF:-}" ]; then
		perf record -q -g -p "$SERVER_PID" -o "$BENCH_PERF.$label" -- sleep "$SECONDS_RUN" \
			>/dev/null 2>&1 &
		perf_pid=$!
	fi
	inject "$WORK/$label.run" "$WORK/run.txt" --label injections --timeline -d "$SECONDS_RUN"
	[ -z "$perf_pid" ] || wait "$perf_pid" || true
	sleep 0.3
	metrics "$WORK/$label.m1"
	thread_cpu "$WORK/$label.cpu1"
	rss1=$(rss_mb)
	ANSWERS=$((ANSWERS + $(val s2xx "$WORK/$label.run")))
	INFLIGHT=$((INFLIGHT + CONNS))
	commits=$(metric_delta tiemchung_db_commits_total "$WORK/$label.m0" "$WORK/$label.m1")
	jobs=$(metric_delta tiemchung_db_write_jobs_total "$WORK/$label.m0" "$WORK/$label.m1")
	batch=$(calc %.1f "($commits > 0 ? $jobs / $commits : 0)")
	resume_ms=$(calc %.1f "$(metric tiemchung_http_resume_wait_max_seconds "$WORK/$label.m1") * 1000")
	local n
	n=$(val requests "$WORK/$label.run")
	echo "  server side: $jobs write jobs in $commits commits, mean batch $batch;" \
		"max wait after resume $resume_ms ms"
	local q b s r
	q=$(phase_ms 'tiemchung_db_write_phase_seconds' '{phase="queue"}' "$label")
	b=$(phase_ms 'tiemchung_db_write_phase_seconds' '{phase="batch"}' "$label")
	s=$(phase_ms 'tiemchung_db_write_phase_seconds' '{phase="sync"}' "$label")
	r=$(phase_ms 'tiemchung_http_resume_wait_seconds' '' "$label")
	local mean rest
	mean=$(calc %.1f "$(val mean_us "$WORK/$label.run") / 1000")
	rest=$(calc %.1f "((x = $mean - $q - $b - $s - $r) > 0 ? x : 0)")
	echo "  where an answer waited, means in ms (docs/operations.md): queue $q," \
		"batch $b, sync $s, after resume $r; the rest of the client's $mean ms, $rest," \
		"is the HTTP threads before the job, the loopback and the client (0 when" \
		"a long queue's jobs started before the run)"
	echo "  server memory: $rss0 MB before the run, $rss1 MB after"
	echo "  server CPU per injection: $(cpu_per_answer "$WORK/$label.cpu0" "$WORK/$label.cpu1" "$n")" \
		"(tc-writer: the database writer thread); loadgen $(val cpu_s "$WORK/$label.run") s in all"

	sync_line="skipped"
	if [ "$label" = sqlite ]; then
		echo "-- ${STRACE_SECONDS} s under strace -f -c -e trace=fsync,fdatasync (slows the server)"
		if ! command -v strace >/dev/null 2>&1; then
			echo "  strace is not installed (make deps-bench installs it): skipped"
		else
			strace -f -c -e trace=fsync,fdatasync -o "$WORK/strace.out" -p "$SERVER_PID" \
				2>"$WORK/strace.err" &
			local strace_pid=$!
			sleep 1
			if ! kill -0 "$strace_pid" 2>/dev/null; then
				echo "  strace could not attach: $(head -n 2 "$WORK/strace.err")"
				wait "$strace_pid" || true
			else
				metrics "$WORK/s0"
				inject "$WORK/$label.strace" "$WORK/strace.txt" --label under-strace \
					-d "$STRACE_SECONDS"
				ANSWERS=$((ANSWERS + $(val s2xx "$WORK/$label.strace")))
				INFLIGHT=$((INFLIGHT + CONNS))
				sleep 0.5
				metrics "$WORK/s1"
				kill -INT "$strace_pid"
				wait "$strace_pid" || true
				check_alive
				local sc sj fs fds by_c by_s by_i
				sc=$(metric_delta tiemchung_db_commits_total "$WORK/s0" "$WORK/s1")
				sj=$(metric_delta tiemchung_db_write_jobs_total "$WORK/s0" "$WORK/s1")
				by_c=$(metric_delta 'tiemchung_db_commit_syncs_total{how="completer"}' "$WORK/s0" "$WORK/s1")
				by_s=$(metric_delta 'tiemchung_db_commit_syncs_total{how="shared"}' "$WORK/s0" "$WORK/s1")
				by_i=$(metric_delta 'tiemchung_db_commit_syncs_total{how="in_commit"}' "$WORK/s0" "$WORK/s1")
				fs=$(awk '$NF == "fsync" { print $4 }' "$WORK/strace.out")
				fds=$(awk '$NF == "fdatasync" { print $4 }' "$WORK/strace.out")
				syncs=$((${fs:-0} + ${fds:-0}))
				echo "  $sj write jobs in $sc commits; ${fs:-0} fsync + ${fds:-0} fdatasync" \
					"= $syncs syncs, $(calc %.2f "($sc > 0 ? $syncs / $sc : 0)") per commit"
				# The completer syncs the newest of the batches it finds
				# waiting, which covers the older ones in the same file
				# (src/db/db.c, make_durable): the server says how each
				# commit was made durable, and strace must have seen at
				# least the syncs it says it made.
				echo "  the server: $by_c commits synced by the completer, $by_s covered by a" \
					"later commit's sync, $by_i synced within the COMMIT"
				sync_line="$syncs syncs / $sc commits ($by_c own, $by_s shared, $by_i in COMMIT)"
				if [ "$sc" -gt 0 ] && [ $((by_c + by_s + by_i)) -lt "$sc" ]; then
					echo "  WARNING: commits the server cannot account for as synced"
				fi
				if [ "$syncs" -lt $((by_c + by_i)) ]; then
					echo "  WARNING: strace saw fewer syncs than the server says it made"
				fi
			fi
		fi
	fi
	stop_server
}

# check_after DB: doses stored against answers, the ledger, the counters.
check_after() {
	local db=$1 doses
	if [ "${db#postgres}" = "$db" ]; then
		doses=$(sqlite3 "$db" "SELECT COUNT(*) FROM doses WHERE status = 'valid'")
	else
		doses=$(psql -qtAX "$db" -c "SELECT COUNT(*) FROM doses WHERE status = 'valid'")
	fi
	echo "  doses stored: $doses; 201 answers counted: $ANSWERS (up to $INFLIGHT more" \
		"may be written but not counted: in flight when a loadgen run ended)"
	if [ "$doses" -lt "$ANSWERS" ] || [ "$doses" -gt $((ANSWERS + INFLIGHT)) ]; then
		fail "doses stored ($doses) do not match the answers ($ANSWERS + up to $INFLIGHT)"
	fi
	local rc=0
	"$BIN" stock check --db "$db" >"$WORK/check.txt" 2>&1 || rc=$?
	echo "  tiemchung stock check: exit $rc: $(tail -n 1 "$WORK/check.txt")"
	[ "$rc" = 0 ] || fail "stock check failed"
	if "$BIN" stats --help >/dev/null 2>&1; then
		rc=0
		"$BIN" stats rebuild --db "$db" >"$WORK/stats.txt" 2>&1 || rc=$?
		echo "  tiemchung stats rebuild: exit $rc: $(tail -n 1 "$WORK/stats.txt")"
		[ "$rc" = 0 ] || fail "stats rebuild failed"
	else
		echo "  tiemchung stats rebuild: not in this build (skipped)"
	fi
}

echo "== dose write: injections at $CONNS connections" \
	"(server --threads $SERVER_THREADS, loadgen $LG_THREADS threads), $CITIZENS people"
machine_note
"$BIN" migrate --db "$DB" >"$WORK/setup.log" 2>&1 || fail "migrate"
"$BIN" seed-demo --db "$DB" >>"$WORK/setup.log" 2>&1 || fail "seed-demo"
http_run "$DB" sqlite
check_after "$DB"
S_RPS=$(val rps "$WORK/sqlite.run")
S_P50=$(calc %.2f "$(val p50_us "$WORK/sqlite.run") / 1000")
S_P99=$(calc %.2f "$(val p99_us "$WORK/sqlite.run") / 1000")
S_MAX=$(calc %.2f "$(val max_us "$WORK/sqlite.run") / 1000")
S_MIN=$(val min_sec "$WORK/sqlite.run")
S_BATCH=$batch
S_RESUME=$resume_ms
S_SYNC=$sync_line

echo "-- dose_loop: the same job, no HTTP, one dose per transaction, ${LOOP_SECONDS} s each"
sync
loop_visits=$((LOOP_SECONDS * 5000))
"$LOOP" --db "$DB" --sync full --seconds "$LOOP_SECONDS" --visits "$loop_visits" \
	>"$WORK/loop_full.txt" || { cat "$WORK/loop_full.txt"; fail "dose_loop --sync full"; }
sed 's/^/    /' "$WORK/loop_full.txt"
"$LOOP" --db "$DB" --sync normal --seconds "$LOOP_SECONDS" --visits "$((loop_visits * 4))" \
	>"$WORK/loop_normal.txt" || { cat "$WORK/loop_normal.txt"; fail "dose_loop --sync normal"; }
sed 's/^/    /' "$WORK/loop_normal.txt"
# not a baseline of the issue: the writer's own CPU per injection when the
# doses come in transactions of 128 like the server's group commits
"$LOOP" --db "$DB" --sync full --batch 128 --seconds "$LOOP_SECONDS" \
	--visits "$((loop_visits * 10))" >"$WORK/loop_batch.txt" ||
	{ cat "$WORK/loop_batch.txt"; fail "dose_loop --batch 128"; }
sed 's/^/    /' "$WORK/loop_batch.txt"
L_BATCH_CPU=$(sed -n 's/^RESULT .*cpu_us_per_dose=\([^ ]*\).*/\1/p' "$WORK/loop_batch.txt")
L_FULL=$(sed -n 's/^RESULT .*doses_per_s=\([^ ]*\).*/\1/p' "$WORK/loop_full.txt")
L_NORMAL=$(sed -n 's/^RESULT .*doses_per_s=\([^ ]*\).*/\1/p' "$WORK/loop_normal.txt")
RATIO=$(calc %.1f "$S_RPS / $L_FULL")

P_RPS=skipped P_P99=- P_BATCH=-
if [ "$DO_PG" != 0 ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	echo "== the same on PostgreSQL (throwaway cluster, fsync and synchronous_commit on)"
	[ -x "$ROOT/build/tests/freeport" ] || make -s build/tests/freeport >/dev/null
	chmod 755 "$WORK" # initdb runs as postgres when we are root
	PGDIR=$WORK/pg
	PGURL=$("$ROOT/tests/support/pg.sh" start "$PGDIR") || fail "cannot start PostgreSQL"
	"$BIN" migrate --db "$PGURL" >>"$WORK/setup.log" 2>&1 || fail "migrate (PostgreSQL)"
	"$BIN" seed-demo --db "$PGURL" >>"$WORK/setup.log" 2>&1 || fail "seed-demo (PostgreSQL)"
	RATE_SAVE=$RATE
	RATE=$((RATE / 4)) # PostgreSQL is slower here; fewer visits to prepare
	http_run "$PGURL" pg
	RATE=$RATE_SAVE
	check_after "$PGURL"
	P_RPS=$(val rps "$WORK/pg.run")
	P_P99=$(calc %.2f "$(val p99_us "$WORK/pg.run") / 1000")
	P_BATCH=$batch
	"$LOOP" --db "$PGURL" --seconds "$LOOP_SECONDS" --visits "$loop_visits" \
		>"$WORK/loop_pg.txt" || { cat "$WORK/loop_pg.txt"; fail "dose_loop on PostgreSQL"; }
	sed 's/^/    /' "$WORK/loop_pg.txt"
	pg_cleanup
fi

echo "== dose write results (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %-26s %9s doses/s  p50 %6s ms  p99 %6s ms  max %7s ms  slowest second %s\n' \
	"SQLite, $CONNS connections" "$S_RPS" "$S_P50" "$S_P99" "$S_MAX" "$S_MIN"
echo "  mean batch $S_BATCH; max wait after resume $S_RESUME ms; syncs: $S_SYNC"
echo "  dose_loop one per transaction: $L_FULL doses/s (FULL), $L_NORMAL doses/s (NORMAL)"
echo "  dose_loop 128 a transaction (FULL): $L_BATCH_CPU us of CPU per dose (the writer's own cost)"
echo "  PostgreSQL, $CONNS connections: $P_RPS doses/s, p99 $P_P99 ms, batch $P_BATCH"
goal "doses/s at $CONNS connections" "$S_RPS" ">= 20000" "$(calc %d "($S_RPS >= 20000)")"
goal "p99 latency" "$S_P99 ms" "< 20 ms" "$(calc %d "($S_P99 < 20)")"
goal "max latency" "$S_MAX ms" "< 1000 ms" "$(calc %d "($S_MAX < 1000)")"
goal "doses/s over durable loop" "${RATIO}x" ">= 4x" "$(calc %d "($RATIO >= 4)")"
echo "RESULT bench=dose rps=$S_RPS p50_ms=$S_P50 p99_ms=$S_P99 max_ms=$S_MAX batch=$S_BATCH" \
	"loop_full=$L_FULL loop_normal=$L_NORMAL ratio=$RATIO pg_rps=$P_RPS pg_p99_ms=$P_P99"
