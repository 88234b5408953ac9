#!/usr/bin/env bash
# Stock movements under contention: 64 keep-alive connections moving
# stock of the same few lots (BENCH_STOCK_LOTS, 4) at once, as the
# national admin, against a fresh server with the demo data. The mix,
# one movement per request, taken in turn from a script (loadgen
# --script), drains nothing over many seconds: each lot is received into
# both warehouses (10,000,000 doses each) first, then, one dose at a time,
#   POST /api/v1/stock/wastage    breakage at the provincial warehouse
#   POST /api/v1/stock/receipts   a donation into the provincial warehouse
#   POST /api/v1/stock/transfers  national -> provincial warehouse
#   POST /api/v1/stock/transfers  provincial warehouse -> district centre
#   POST /api/v1/stock/returns    a recall from the national warehouse
#   POST /api/v1/stock/receipts   covax into the national warehouse
# (the transfers stay in transit: their lines are balances too). Prints
# movements/s and latency; then, with the server stopped, proves the
# balances: `tiemchung stock check`, and an independent sum of the ledger
# in the sqlite3 shell compared with every balance ("balances exact:
# yes/no"). Fails on an error (a non-2xx answer, a transport error, a
# server crash or an unclean stop) or a balance that is not exact, never
# on a missed goal.
#
# Settings (environment): BENCH_STOCK_LOTS (4), BENCH_CONNS (64),
# BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_SERVER_THREADS (4),
# BENCH_LOADGEN_THREADS (2), TIEMCHUNG_BIN (build/tiemchung).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
NLOTS=${BENCH_STOCK_LOTS:-4}
STOCK=10000000
DB=$WORK/tiemchung.db
cd "$ROOT" # migrate reads data/ from here

command -v sqlite3 >/dev/null || fail "the sqlite3 shell is needed for the independent check (apt-get install sqlite3)"

echo "== stock: movements on $NLOTS lots, $CONNS connections" \
	"(server --threads $SERVER_THREADS, loadgen $LG_THREADS threads)"
machine_note
start_tiemchung "$DB"
login
echo "  server pid $SERVER_PID, port $PORT, database $DB"

# The demo facilities (seed-demo): one of each kind up the chain.
fac() {
	local id
	id=$(sqlite3 "$DB" "SELECT MIN(id) FROM facilities WHERE kind = '$1' AND active = 1")
	[ -n "$id" ] || fail "no $1 in the demo data"
	echo "$id"
}
NAT=$(fac national_warehouse)
PROV=$(fac provincial_warehouse)
DIST=$(fac district_centre)
PRODUCT=$(sqlite3 "$DB" "SELECT code FROM vaccine_products ORDER BY used_in_vn DESC, code LIMIT 1")
[ -n "$PRODUCT" ] || fail "no vaccine product"
EXPIRY=$(date -u -d '+2 years' +%F)

# post PATH BODY: one POST as the admin; prints the answer's body, fails
# on anything but 2xx.
post() {
	"$BB/loadgen" -n 1 -c 1 --print-body -m POST -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' -b "$2" "$BASE$1" ||
		fail "POST $1 $2"
}

tag=$$
lots=()
for k in $(seq 1 "$NLOTS"); do
	out=$(post /api/v1/lots "{\"product\":\"$PRODUCT\",\"lot_number\":\"BENCH-$tag-$k\",\"expiry\":\"$EXPIRY\",\"manufacturer\":\"bench\"}")
	id=$(printf '%s' "$out" | sed -n 's/^{"lot": *{"id": *\([0-9]*\).*/\1/p')
	[ -n "$id" ] || id=$(printf '%s' "$out" | grep -o '"id": *[0-9]*' | head -n 1 | grep -o '[0-9]*$')
	[ -n "$id" ] || fail "POST /api/v1/lots answered without an id: $out"
	lots+=("$id")
	for w in "$NAT" "$PROV"; do
		post /api/v1/stock/receipts "{\"facility_id\":$w,\"lot_id\":$id,\"quantity\":$STOCK,\"source\":\"covax\",\"party\":\"bench\"}" >/dev/null
	done
done
echo "  product $PRODUCT; lots ${lots[*]} (expiry $EXPIRY), $STOCK doses of each received" \
	"at the national ($NAT) and provincial ($PROV) warehouses; district centre $DIST"

# The script: each kind of movement on each lot in turn, so that at any
# moment the 64 connections hit the same few balances.
script=$WORK/movements.txt
for line in \
	"POST /api/v1/stock/wastage {\"facility_id\":$PROV,\"lot_id\":LOT,\"quantity\":1,\"reason\":\"breakage\"}" \
	"POST /api/v1/stock/receipts {\"facility_id\":$PROV,\"lot_id\":LOT,\"quantity\":1,\"source\":\"donation\",\"party\":\"bench\"}" \
	"POST /api/v1/stock/transfers {\"from_facility\":$NAT,\"to_facility\":$PROV,\"items\":[{\"lot_id\":LOT,\"quantity\":1}]}" \
	"POST /api/v1/stock/transfers {\"from_facility\":$PROV,\"to_facility\":$DIST,\"items\":[{\"lot_id\":LOT,\"quantity\":1}]}" \
	"POST /api/v1/stock/returns {\"facility_id\":$NAT,\"lot_id\":LOT,\"quantity\":1,\"reason\":\"recall\",\"party\":\"bench\"}" \
	"POST /api/v1/stock/receipts {\"facility_id\":$NAT,\"lot_id\":LOT,\"quantity\":1,\"source\":\"covax\",\"party\":\"bench\"}"; do
	for id in "${lots[@]}"; do
		printf '%s\n' "${line//LOT/$id}"
	done
done >"$script"
echo "  $(wc -l <"$script") requests in the script, e.g.:"
sed -n '1p;$p' "$script" | sed 's/^/    /'

moves() {
	loadgen "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		--script "$script" "${@:2}" "$BASE/"
	require_clean "$1"
	grep -q '^  statuses: 201=[0-9]*$' "$1" || fail "answers other than 201: $(grep statuses "$1")"
}

echo "-- warm-up ${WARMUP} s"
moves "$WORK/warm.txt" --label warm-up -d "$WARMUP"

echo "-- measured run ${SECONDS_RUN} s"
rss0=$(rss_mb)
thread_cpu "$WORK/cpu0"
metrics "$WORK/m0"
m0=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM stock_movements')
moves "$WORK/run.txt" --label movements --timeline -d "$SECONDS_RUN"
sleep 0.3 # the last suspended requests commit
metrics "$WORK/m1"
thread_cpu "$WORK/cpu1"
rss1=$(rss_mb)
m1=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM stock_movements')
commits=$(metric_delta tiemchung_db_commits_total "$WORK/m0" "$WORK/m1")
jobs=$(metric_delta tiemchung_db_write_jobs_total "$WORK/m0" "$WORK/m1")
batch=$(calc %.1f "($commits > 0 ? $jobs / $commits : 0)")
answers=$(val requests "$WORK/run.txt")
echo "  server side: $jobs write jobs in $commits commits, mean batch $batch;" \
	"$((m1 - m0)) movements written for $answers answers counted (answers in flight" \
	"at either end of the run are written but not counted)"
echo "  server memory: $rss0 MB before the run, $rss1 MB after"
echo "  server CPU per movement: $(cpu_per_answer "$WORK/cpu0" "$WORK/cpu1" "$answers")" \
	"(tc-writer: the database writer thread); loadgen $(val cpu_s "$WORK/run.txt") s in all"
stop_server

echo "-- the balances, with the server stopped"
rc=0
"$BIN" stock check --db "$DB" >"$WORK/check.txt" 2>&1 || rc=$?
sed 's/^/    /' "$WORK/check.txt"
check_ok=yes
[ "$rc" = 0 ] || check_ok=no
echo "  tiemchung stock check: exit status $rc"

# Independently of the program: every facility balance and every transit
# line against the sum of the movements that touch it, both ways round,
# and no balance below zero.
read -r nbal nlines nmov bad <<<"$(sqlite3 -separator ' ' "$DB" "
WITH fnet AS (
  SELECT facility_id AS f, lot_id AS l,
         SUM(CASE WHEN dst = 'facility' THEN quantity ELSE -quantity END) AS n
  FROM stock_movements WHERE src = 'facility' OR dst = 'facility'
  GROUP BY facility_id, lot_id),
tnet AS (
  SELECT transfer_id AS t, lot_id AS l,
         SUM(CASE WHEN dst = 'transit' THEN quantity ELSE -quantity END) AS n
  FROM stock_movements WHERE src = 'transit' OR dst = 'transit'
  GROUP BY transfer_id, lot_id)
SELECT
  (SELECT COUNT(*) FROM stock_balances),
  (SELECT COUNT(*) FROM stock_transfer_items),
  (SELECT COUNT(*) FROM stock_movements),
  (SELECT COUNT(*) FROM stock_balances b LEFT JOIN fnet ON fnet.f = b.facility_id AND fnet.l = b.lot_id
     WHERE b.on_hand <> COALESCE(fnet.n, 0) OR b.on_hand < 0)
  + (SELECT COUNT(*) FROM fnet WHERE fnet.n <> 0 AND NOT EXISTS
       (SELECT 1 FROM stock_balances b WHERE b.facility_id = fnet.f AND b.lot_id = fnet.l))
  + (SELECT COUNT(*) FROM stock_transfer_items i LEFT JOIN tnet ON tnet.t = i.transfer_id AND tnet.l = i.lot_id
     WHERE i.in_transit <> COALESCE(tnet.n, 0) OR i.in_transit < 0)
  + (SELECT COUNT(*) FROM tnet WHERE tnet.n <> 0 AND NOT EXISTS
       (SELECT 1 FROM stock_transfer_items i WHERE i.transfer_id = tnet.t AND i.lot_id = tnet.l))")"
sql_ok=yes
[ "$bad" = 0 ] || sql_ok=no
echo "  sqlite3: $nbal balances and $nlines transit lines against $nmov movements," \
	"$bad differences"
exact=no
[ "$check_ok" = yes ] && [ "$sql_ok" = yes ] && exact=yes
echo "  balances exact: $exact"

rps=$(val rps "$WORK/run.txt")
p50=$(calc %.2f "$(val p50_us "$WORK/run.txt") / 1000")
p99=$(calc %.2f "$(val p99_us "$WORK/run.txt") / 1000")
maxl=$(calc %.2f "$(val max_us "$WORK/run.txt") / 1000")
minsec=$(val min_sec "$WORK/run.txt")

echo "== stock results ($NLOTS lots, one movement per request)"
printf '  %-28s %9s movements/s  p50 %6s ms  p99 %6s ms  max %7s ms  slowest second %s\n' \
	"stock movements (mixed)" "$rps" "$p50" "$p99" "$maxl" "$minsec"
echo "  mean batch $batch; balances exact: $exact"
echo "RESULT bench=stock lots=$NLOTS rps=$rps p50_ms=$p50 p99_ms=$p99 max_ms=$maxl" \
	"batch=$batch movements=$nmov exact=$exact"
[ "$exact" = yes ] || fail "the balances are not exact (see above)"
