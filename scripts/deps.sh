#!/bin/sh
# Installs the Debian packages tiemchung needs to build, test and run,
# and only those that are missing. Used by 'make deps' (and so by 'make
# run' and 'make test'). Needs root or sudo when something is missing.
set -eu

PKGS="gcc make pkg-config clang libclang-rt-14-dev
libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev libssl-dev
libsodium-dev zlib1g-dev libcurl4-openssl-dev libcmocka-dev libutf8proc-dev
libqrencode-dev libpng-dev libzip-dev libexpat1-dev libfreexl-dev
postgresql ca-certificates"

# Browser tests need Debian's Chromium; Node.js and npm drive it.
if [ "${TIEMCHUNG_NO_BROWSER:-}" = "" ]; then
	PKGS="$PKGS chromium"
	command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
fi
[ "${1:-}" = "--bench" ] && PKGS="$PKGS strace"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
