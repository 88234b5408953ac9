#!/usr/bin/env bash
# Check-in at a vaccination site: POST /api/v1/checkin at 64 keep-alive
# connections over BENCH_IMPORT_ROWS (1,000,000) imported citizens, as
# the site's staff (phucxa.staff), the bodies drawn at random from the
# people's personal QR tokens and the QR texts of their CCCD cards, half
# and half; then the libmicrohttpd ceiling, bench/hello, with the same
# settings. Every answer must be 200 and find its person. Prints figures
# and goals; fails only on errors, never on a missed goal.
#
# The citizens come from bench/import.sh (build/bench/citizens.N/); when
# they are missing or were made by another generator, they are generated
# and imported first (with --batch 50000, to be quick; a few minutes).
# The database is copied, so runs do not pile up audit rows.
#
# Settings (environment): BENCH_IMPORT_ROWS (1000000), BENCH_IMPORT_SEED
# (1), BENCH_CHECKIN_BODIES (200000, half tokens, half cards),
# BENCH_CONNS (64), BENCH_SECONDS (10), BENCH_WARMUP (2),
# BENCH_SERVER_THREADS (4), BENCH_LOADGEN_THREADS (2), TIEMCHUNG_BIN.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
ROWS=${BENCH_IMPORT_ROWS:-1000000}
SEED=${BENCH_IMPORT_SEED:-1}
NBODIES=${BENCH_CHECKIN_BODIES:-200000}
CACHE=$ROOT/build/bench/citizens.$ROWS
USER_NAME=phucxa.staff
cd "$ROOT" # migrate reads data/vn-admin/ from here

command -v sqlite3 >/dev/null || fail "the sqlite3 shell is needed to read the QR tokens (apt-get install sqlite3)"

echo "== check-in: POST /api/v1/checkin over $ROWS citizens, $CONNS connections" \
	"(server --threads $SERVER_THREADS, loadgen $LG_THREADS threads)"

stamp="rows=$ROWS seed=$SEED gen=$(cksum <"$BB/gen_citizens" | cut -d' ' -f1)"
if [ "$(cat "$CACHE/stamp" 2>/dev/null)" != "$stamp" ] || [ ! -s "$CACHE/citizens.db" ] ||
	[ ! -s "$CACHE/cards.txt" ]; then
	echo "-- no citizens from bench/import.sh for this generator: generating and importing $ROWS"
	rm -rf "$CACHE"
	mkdir -p "$CACHE"
	"$BB/gen_citizens" -n "$ROWS" -s "$SEED" --qr "$CACHE/cards.txt" "$WORK/citizens.csv" ||
		fail "gen_citizens"
	"$BIN" migrate --db "$CACHE/citizens.db" >"$WORK/setup.log" 2>&1 || fail "migrate"
	"$BIN" import citizens "$WORK/citizens.csv" --db "$CACHE/citizens.db" --batch 50000 \
		--json >"$WORK/import.json" 2>>"$WORK/setup.log" || fail "import (see $WORK/setup.log)"
	grep -q '"status":"done".*"rejected":0,' "$WORK/import.json" ||
		fail "the import did not take every row: $(cat "$WORK/import.json")"
	rm -f "$WORK/citizens.csv"
	echo "$stamp" >"$CACHE/stamp"
fi
DB=$WORK/citizens.db
cp "$CACHE/citizens.db" "$DB"
[ -f "$CACHE/citizens.db-wal" ] && cp "$CACHE/citizens.db-wal" "$DB-wal"
"$BIN" migrate --db "$DB" >>"$WORK/setup.log" 2>&1 || fail "migrate"
"$BIN" seed-demo --db "$DB" >>"$WORK/setup.log" 2>&1 || fail "seed-demo"
people=$(sqlite3 "$DB" 'SELECT count(*) FROM citizens')
[ "$people" -ge "$ROWS" ] || fail "the database holds $people citizens, not $ROWS"

# The bodies: random personal QR tokens and random card QR texts, shuffled
# together; the first lines warm the server up, the others are measured
# (so the measured run does not start on pages the warm-up just read).
half=$((NBODIES / 2))
sqlite3 "$DB" "SELECT qr_token FROM citizens ORDER BY random() LIMIT $half" >"$WORK/tokens.txt"
shuf -n "$half" --random-source=<(yes "$SEED") "$CACHE/cards.txt" >"$WORK/cards.txt"
# JSON strings as they are: neither holds a quote or a backslash
if grep -q '["\\]' "$WORK/tokens.txt" "$WORK/cards.txt"; then
	fail "a token or card text holds a quote or a backslash"
fi
cat "$WORK/tokens.txt" "$WORK/cards.txt" | shuf --random-source=<(yes "$SEED") |
	sed 's/.*/{"qr":"&"}/' >"$WORK/bodies.txt"
nwarm=$((NBODIES / 10))
head -n "$nwarm" "$WORK/bodies.txt" >"$WORK/warm.jsonl"
tail -n +"$((nwarm + 1))" "$WORK/bodies.txt" >"$WORK/run.jsonl"
echo "  $people citizens; $(wc -l <"$WORK/bodies.txt") bodies ($(wc -l <"$WORK/tokens.txt")" \
	"personal QR tokens, $(wc -l <"$WORK/cards.txt") card QR texts), e.g.:"
echo "    $(grep -m 1 '|' "$WORK/run.jsonl")"
echo "    $(grep -m 1 -v '|' "$WORK/run.jsonl")"

machine_note
start_tiemchung "$DB"
login "$USER_NAME"
echo "  server pid $SERVER_PID, port $PORT, logged in as $USER_NAME"

# One answer of each kind, looked at: the person is found.
for kind in token card; do
	if [ $kind = token ]; then b=$(grep -m 1 -v '|' "$WORK/warm.jsonl"); else b=$(grep -m 1 '|' "$WORK/warm.jsonl"); fi
	out=$("$BB/loadgen" -n 1 -c 1 --print-body -m POST -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' -b "$b" "$BASE/api/v1/checkin") ||
		fail "POST /api/v1/checkin $b"
	case $out in
	*'"found":true'*) ;;
	*) fail "check-in by $kind found nobody: $b -> $out" ;;
	esac
done

checkin() {
	local out=$1 file=$2
	shift 2
	loadgen "$out" -m POST -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' --bodies "$file" "$@" "$BASE/api/v1/checkin"
	require_clean "$out"
	grep -q '^  statuses: 200=[0-9]*$' "$out" || fail "answers other than 200: $(grep statuses "$out")"
}

echo "-- warm-up ${WARMUP} s"
checkin "$WORK/warm.txt" "$WORK/warm.jsonl" --label warm-up -d "$WARMUP"

echo "-- measured run ${SECONDS_RUN} s"
rss0=$(rss_mb)
thread_cpu "$WORK/cpu0"
metrics "$WORK/m0"
checkin "$WORK/run.txt" "$WORK/run.jsonl" --label checkin --timeline -d "$SECONDS_RUN"
sleep 0.3
metrics "$WORK/m1"
thread_cpu "$WORK/cpu1"
rss1=$(rss_mb)
commits=$(metric_delta tiemchung_db_commits_total "$WORK/m0" "$WORK/m1")
jobs=$(metric_delta tiemchung_db_write_jobs_total "$WORK/m0" "$WORK/m1")
batch=$(calc %.1f "($commits > 0 ? $jobs / $commits : 0)")
answers=$(val requests "$WORK/run.txt")
echo "  server side: $jobs write jobs in $commits commits, mean batch $batch"
echo "  server memory: $rss0 MB before the run, $rss1 MB after;" \
	"the WAL file is $(calc %.0f "$(stat -c %s "$DB-wal" 2>/dev/null || echo 0) / 1048576") MB"
echo "  server CPU per check-in: $(cpu_per_answer "$WORK/cpu0" "$WORK/cpu1" "$answers")" \
	"(tc-writer: the database writer thread); loadgen $(val cpu_s "$WORK/run.txt") s in all"
stop_server

# Every check-in that finds its person writes one audit entry: fewer
# entries than answers means some bodies found nobody.
answered=$(($(val requests "$WORK/warm.txt") + answers + 2))
audited=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'checkin_lookup'")
echo "  $audited check-ins audited for $answered answers counted (answers in flight at the" \
	"end of a run are audited but not counted)"
[ "$audited" -ge "$answered" ] || fail "only $audited of $answered check-ins found their person"
rm -f "$DB" "$DB-wal" "$DB-shm" # frees the disk before the ceiling

echo "-- ceiling: bench/hello, small JSON answer"
start_hello
loadgen "$WORK/hwarm.txt" --label warm-up -d "$WARMUP" "$BASE/"
loadgen "$WORK/hello.txt" --label hello --timeline -d "$SECONDS_RUN" "$BASE/"
require_clean "$WORK/hello.txt"
stop_server

rps=$(val rps "$WORK/run.txt")
p50=$(calc %.2f "$(val p50_us "$WORK/run.txt") / 1000")
p99=$(calc %.2f "$(val p99_us "$WORK/run.txt") / 1000")
maxl=$(calc %.2f "$(val max_us "$WORK/run.txt") / 1000")
minsec=$(val min_sec "$WORK/run.txt")
h_rps=$(val rps "$WORK/hello.txt")
h_p99=$(calc %.2f "$(val p99_us "$WORK/hello.txt") / 1000")
pct=$(calc %.1f "($h_rps > 0 ? 100 * $rps / $h_rps : 0)")

echo "== check-in results ($people citizens)"
printf '  %-28s %9s req/s  p50 %6s ms  p99 %6s ms  max %7s ms  slowest second %s\n' \
	"POST /api/v1/checkin" "$rps" "$p50" "$p99" "$maxl" "$minsec"
printf '  %-28s %9s req/s  p99 %6s ms\n' "hello (small answer)" "$h_rps" "$h_p99"
echo "  check-in / hello: $pct%; mean batch $batch"
goal "check-ins/s at $CONNS connections" "$rps" ">= 10000" "$(calc %d "($rps >= 10000)")"
goal "p99 latency" "$p99 ms" "< 10 ms" "$(calc %d "($p99 < 10)")"
goal "check-ins/s as a share of hello" "$pct%" ">= 25%" "$(calc %d "($pct >= 25)")"
echo "RESULT bench=checkin citizens=$people rps=$rps p50_ms=$p50 p99_ms=$p99 max_ms=$maxl" \
	"batch=$batch hello_rps=$h_rps hello_p99_ms=$h_p99 pct=$pct"
