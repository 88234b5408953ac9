#!/bin/sh
# Prints the Debian packages tiemchung needs to build, test and run that
# are not installed yet (nothing when all are). 'make deps' (and so 'make
# run' and 'make test') installs them with apt-get.
set -eu

PKGS="gcc make pkg-config clang libclang-rt-14-dev
libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev libssl-dev
libsodium-dev zlib1g-dev libcurl4-openssl-dev libcmocka-dev libutf8proc-dev
libqrencode-dev libpng-dev libzip-dev libexpat1-dev libfreexl-dev libzstd-dev
postgresql ca-certificates"

# Browser tests need Debian's Chromium; Node.js and npm drive it, and npm
# brings the site pages' QR decoder (jsQR, for 'make run' as well).
if [ "${TIEMCHUNG_NO_BROWSER:-}" = "" ]; then
	PKGS="$PKGS chromium"
	command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
fi
[ "${1:-}" = "--bench" ] && PKGS="$PKGS strace time sqlite3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
echo $missing
