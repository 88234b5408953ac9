#!/bin/sh
# A throwaway PostgreSQL cluster for the tests.
#   pg.sh start DIR   initdb in DIR, start on a free loopback port, print the URL
#   pg.sh stop DIR    stop it (the caller removes DIR)
set -eu
cmd=$1 dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg.sh: PostgreSQL server binaries not found" >&2; exit 1; }

as_pg() {
	# initdb refuses to run as root: use the postgres account then.
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	port=$(build/tests/freeport)
	as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
		--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" \
		start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	echo "postgresql://postgres@127.0.0.1:$port"
	;;
stop)
	as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
esac
