#!/usr/bin/env bash
# Importing citizens: BENCH_IMPORT_ROWS (1,000,000) generated people
# (bench/gen_citizens), then in the same run
#   1. `tiemchung import citizens` into a freshly migrated database: rows/s,
#      peak memory, CPU per row; every row must be accepted;
#   2. the same file again into that database: rows/s (every row unchanged);
#   3. bench/import_loop, the plain C loop, into another fresh database:
#      the ceiling, in rows/s.
# Prints figures and goals; fails only on errors (a row that is not
# accepted is a generator bug), never on a missed goal. Leaves the
# imported database and the people's card QR texts in
# build/bench/citizens.N/ for bench/checkin.sh.
#
# Settings (environment): BENCH_IMPORT_ROWS (1000000), BENCH_IMPORT_SEED
# (1), BENCH_IMPORT_BATCH (the importer's --batch; its default when
# unset), TIEMCHUNG_BIN (build/tiemchung).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
ROWS=${BENCH_IMPORT_ROWS:-1000000}
SEED=${BENCH_IMPORT_SEED:-1}
BATCH=${BENCH_IMPORT_BATCH:-}
CACHE=$ROOT/build/bench/citizens.$ROWS
cd "$ROOT" # migrate reads data/vn-admin/ from here

# timed OUT LOG CMD...: runs CMD with its output in LOG; OUT gets
# "seconds peak_kb cpu_seconds" (peak memory 0 without /usr/bin/time).
timed() {
	local out=$1 log=$2 t0 t1
	shift 2
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -o "$out.time" -f '%e %M %U %S' "$@" >"$log" 2>&1 ||
			{ tail -n 20 "$log" >&2; fail "$1 failed (see above)"; }
		awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$out.time" >"$out"
	else
		t0=$(date +%s.%N)
		"$@" >"$log" 2>&1 || { tail -n 20 "$log" >&2; fail "$1 failed (see above)"; }
		t1=$(date +%s.%N)
		calc '%.2f 0 0\n' "$t1 - $t0" >"$out"
	fi
}

# json_int KEY FILE: an integer field of the import's JSON.
json_int() {
	sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p' "$2" | head -n 1
}
json_str() {
	sed -n 's/.*"'"$1"'":"\([^"]*\)".*/\1/p' "$2" | head -n 1
}

# check_import JSON NEW UNCHANGED: the import finished with exactly these counts.
check_import() {
	local st rows acc unch rej
	st=$(json_str status "$1")
	rows=$(json_int rows "$1")
	acc=$(json_int accepted "$1")
	unch=$(json_int unchanged "$1")
	rej=$(json_int rejected "$1")
	echo "  import: status $st, $rows rows: $acc accepted, $unch unchanged, $rej rejected"
	[ "$st" = "done" ] || fail "the import ended '$st': $(cat "$1")"
	[ "$rej" = 0 ] || fail "$rej rows were rejected (a bug in gen_citizens?)"
	if [ "$rows" != "$ROWS" ] || [ "$acc" != "$2" ] || [ "$unch" != "$3" ]; then
		fail "expected $ROWS rows, $2 accepted and $3 unchanged"
	fi
}

fresh_db() {
	rm -f "$1" "$1-wal" "$1-shm"
	"$BIN" migrate --db "$1" >>"$WORK/setup.log" 2>&1 || fail "migrate (see $WORK/setup.log)"
}

# settle: the last run's files written back, so that the next run does
# not pay for them.
settle() {
	sync
	sleep 1
}

batch_opt=()
[ -n "$BATCH" ] && batch_opt=(--batch "$BATCH")

echo "== import: $ROWS citizens (seed $SEED), tiemchung import citizens" \
	"(batch ${BATCH:-default}) against a plain C loop"
machine_note
[ -x /usr/bin/time ] || echo "  note: /usr/bin/time is missing (apt-get install time): peak memory not measured"

echo "-- generating $ROWS people"
timed "$WORK/gen.t" "$WORK/gen.log" "$BB/gen_citizens" -n "$ROWS" -s "$SEED" \
	--qr "$WORK/cards.txt" "$WORK/citizens.csv"
echo "  $(du -m "$WORK/citizens.csv" | cut -f1) MB of CSV in $(cut -d' ' -f1 "$WORK/gen.t") s;" \
	"first row: $(sed -n 2p "$WORK/citizens.csv")"

echo "-- tiemchung import citizens, fresh database"
fresh_db "$WORK/import.db"
settle
timed "$WORK/imp.t" "$WORK/imp.json" "$BIN" import citizens "$WORK/citizens.csv" \
	--db "$WORK/import.db" --json "${batch_opt[@]}"
check_import "$WORK/imp.json" "$ROWS" 0
read -r imp_s imp_kb imp_cpu <"$WORK/imp.t"
imp_rps=$(calc %.0f "$ROWS / $imp_s")
imp_mb=$(calc %.0f "$imp_kb / 1024")
dups=$(sqlite3 "$WORK/import.db" 'SELECT count(*) FROM citizen_duplicates' 2>/dev/null || echo '?')
echo "  $imp_s s: $imp_rps rows/s, peak memory $imp_mb MB," \
	"CPU $(calc %.1f "$imp_cpu * 1e6 / $ROWS") us per row (all threads);" \
	"database $(du -m "$WORK/import.db" | cut -f1) MB; likely duplicates found: $dups"

echo "-- the same file again (every row already on file)"
settle
timed "$WORK/re.t" "$WORK/re.json" "$BIN" import citizens "$WORK/citizens.csv" \
	--db "$WORK/import.db" --json "${batch_opt[@]}"
check_import "$WORK/re.json" 0 "$ROWS"
read -r re_s re_kb re_cpu <"$WORK/re.t"
re_rps=$(calc %.0f "$ROWS / $re_s")
echo "  $re_s s: $re_rps rows/s, peak memory $(calc %.0f "$re_kb / 1024") MB," \
	"CPU $(calc %.1f "$re_cpu * 1e6 / $ROWS") us per row"

# Keep the citizens for bench/checkin.sh (its stamp says what made them).
rm -rf "$CACHE"
mkdir -p "$CACHE"
mv "$WORK/import.db" "$CACHE/citizens.db"
mv "$WORK/cards.txt" "$CACHE/cards.txt"
echo "rows=$ROWS seed=$SEED gen=$(cksum <"$BB/gen_citizens" | cut -d' ' -f1)" >"$CACHE/stamp"

echo "-- the ceiling: bench/import_loop (50000 rows per transaction), fresh database"
fresh_db "$WORK/loop.db"
settle
timed "$WORK/loop.t" "$WORK/loop.txt" "$BB/import_loop" "$WORK/citizens.csv" "$WORK/loop.db"
sed 's/^/    /' "$WORK/loop.txt" | grep -v '^    RESULT'
[ "$(sed -n 's/^RESULT rows=\([0-9]*\) .*/\1/p' "$WORK/loop.txt")" = "$ROWS" ] ||
	fail "import_loop did not insert $ROWS rows"
read -r loop_s loop_kb _ <"$WORK/loop.t"
loop_rps=$(calc %.0f "$ROWS / $loop_s")
echo "  $loop_s s: $loop_rps rows/s, peak memory $(calc %.0f "$loop_kb / 1024") MB"
pct=$(calc %.1f "100 * $imp_rps / $loop_rps")

echo "== import results ($ROWS rows)"
printf '  %-40s %9s rows/s  %7s s\n' "tiemchung import citizens, new rows" "$imp_rps" "$imp_s"
printf '  %-40s %9s rows/s  %7s s\n' "the same file again, all unchanged" "$re_rps" "$re_s"
printf '  %-40s %9s rows/s  %7s s\n' "plain C loop (ceiling)" "$loop_rps" "$loop_s"
echo "  import peak memory $imp_mb MB; import / ceiling $pct%"
goal "import rows/s" "$imp_rps" ">= 100000" "$(calc %d "($imp_rps >= 100000)")"
goal "import as a share of the loop" "$pct%" ">= 50%" "$(calc %d "($pct >= 50)")"
echo "RESULT bench=import rows=$ROWS rps=$imp_rps seconds=$imp_s peak_mb=$imp_mb" \
	"reimport_rps=$re_rps loop_rps=$loop_rps pct=$pct"
