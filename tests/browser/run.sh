#!/bin/sh
# The browser test: starts a real server on a demo database in a temporary
# directory and drives Debian's chromium through the web pages with
# playwright-core: tests/browser/landing.test.mjs (staff pages), then
# tests/browser/portal.test.mjs (the citizen portal, people, check-in),
# which is also the SMS gateway the server sends one-time codes to, then
# tests/browser/imports.test.mjs (importing a list of people), then
# tests/browser/registrations.test.mjs (approving, allocating, sessions
# and scheduling; the SMS gateway again, for codes and appointments), then
# tests/browser/stock.test.mjs (receiving, shipping and receiving vaccine
# lots, the stock on both sides and the reconciliation), then
# tests/browser/site.test.mjs (a site's session: scan, screening,
# injection, observation, adverse event, the dose in the history).
#
#   TIEMCHUNG_BIN=build/tiemchung tests/browser/run.sh
#
# Prints one TAP line per check ("ok N - ..." / "not ok N - ...") on
# stdout, everything else on stderr; exits non-zero if a check failed.
# Screenshots go to build/browser/. Needs node and `npm ci` at the root.
set -u
cd "$(dirname "$0")/../.." || exit 2

bin=${TIEMCHUNG_BIN:-build/tiemchung}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiemchung-browser.XXXXXX") || exit 2
pid=
n=0

cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# tap OK|FAIL DESCRIPTION
tap() {
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}

# bail DESCRIPTION [FILE]: one failed check, the file's tail on stderr.
bail() {
	tap FAIL "$1"
	[ $# -gt 1 ] && [ -f "$2" ] && tail -n 40 "$2" >&2
	exit 1
}

[ -x "$bin" ] || bail "tiemchung binary exists at $bin (set TIEMCHUNG_BIN)"
command -v node >/dev/null 2>&1 || bail "node is installed"
[ -f node_modules/playwright-core/package.json ] ||
	bail "playwright-core is installed (run 'npm ci' at the repository root)"
[ -x /usr/bin/chromium ] || bail "chromium is installed at /usr/bin/chromium"
# The camera reader's QR decoder, copied from node_modules by make.
[ -f web/vendor/jsQR.js ] || make --no-print-directory web/vendor/jsQR.js >&2 ||
	bail "web/vendor/jsQR.js is there (make web/vendor/jsQR.js)"

"$bin" migrate --db "$tmp/t.db" >"$tmp/setup.log" 2>&1 ||
	bail "the demo database is migrated" "$tmp/setup.log"
"$bin" seed-demo --db "$tmp/t.db" >>"$tmp/setup.log" 2>&1 ||
	bail "the demo database is seeded" "$tmp/setup.log"

# A free port for the SMS gateway that portal.test.mjs (and later
# registrations.test.mjs) opens: the
# outbox retries with backoff, so a message sent before it listens still
# arrives within seconds.
smsport=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });') ||
	bail "a free port for the SMS gateway"

"$bin" serve --db "$tmp/t.db" --listen 127.0.0.1:0 --web web --access-log off \
	--sms-gateway "http://127.0.0.1:$smsport/sms" \
	>"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!

port=
tries=0
while [ $tries -lt 100 ]; do
	port=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*#\1#p' "$tmp/serve.out" 2>/dev/null)
	[ -n "$port" ] && break
	kill -0 "$pid" 2>/dev/null || break
	tries=$((tries + 1))
	sleep 0.1
done
[ -n "$port" ] || bail "the server starts and prints its port" "$tmp/serve.err"
echo "# server on http://127.0.0.1:$port (pid $pid)" >&2

mkdir -p build/browser
# Chromium's throwaway profile (playwright makes one per launch) lands in
# $tmp too, so nothing is left behind.
# Each file numbers its checks from 1; the TAP printed here numbers them
# on across the files.
failed=0
for t in landing portal imports registrations stock site; do
	TMPDIR="$tmp" TIEMCHUNG_SMS_PORT="$smsport" timeout 300 \
		node "tests/browser/$t.test.mjs" "http://127.0.0.1:$port" >"$tmp/$t.tap"
	status=$?
	awk -v n="$n" '/^(not )?ok [0-9]+ /{ n++; sub(/ok [0-9]+ /, "ok " n " ") } { print }' \
		"$tmp/$t.tap"
	n=$((n + $(grep -cE '^(not )?ok ' "$tmp/$t.tap")))
	f=$(grep -cE '^not ok ' "$tmp/$t.tap")
	failed=$((failed + f))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		tap FAIL "$t.test.mjs runs to its end (exit status $status)"
		failed=$((failed + 1))
	fi
done

# The server must stop cleanly on SIGTERM (under ASan this also catches
# leaks and memory errors the pages provoked).
kill -TERM "$pid"
wait "$pid"
sstatus=$?
pid=
if [ "$sstatus" -eq 0 ]; then
	tap OK "the server stops cleanly on SIGTERM"
else
	tap FAIL "the server stops cleanly on SIGTERM (exit status $sstatus)"
	tail -n 60 "$tmp/serve.err" >&2
	failed=$((failed + 1))
fi

[ "$failed" -eq 0 ]
