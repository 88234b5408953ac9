#!/bin/sh
# Runs the libFuzzer targets built by tests/fuzz/fuzz.mk.
#
#   tests/fuzz/run.sh short [NAME...]   each target FUZZ_SHORT_TIME seconds
#                                       (default 8) on a temporary copy of its
#                                       seeds; one TAP line per target
#   tests/fuzz/run.sh bench [NAME...]   each target FUZZ_TIME seconds (default
#                                       300) on a corpus kept in
#                                       build/fuzz/corpus/NAME; prints exec/s
#                                       and coverage from libFuzzer's stats
#
# Without names, every tests/fuzz/fuzz_*.c target runs. Environment:
#   FUZZ_BIN_DIR    where the binaries are (build/fuzz)
#   FUZZ_JOBS       how many targets run at once (1)
#   FUZZ_TAP_FIRST  number of the first TAP line (1)
#   FUZZ_ARGS       extra libFuzzer flags, e.g. "-seed=1"
# The seed corpus in tests/fuzz/corpus is never written to. An input that
# breaks a target is kept in build/fuzz/artifacts/NAME/ and the line to
# replay it is printed.
set -u

mode=${1:-}
case "$mode" in
short | bench) shift ;;
*)
	echo "usage: $0 short|bench [NAME...]" >&2
	exit 2
	;;
esac

here=$(dirname "$0")
bin_dir=${FUZZ_BIN_DIR:-build/fuzz}
jobs=${FUZZ_JOBS:-1}
tap=${FUZZ_TAP_FIRST:-1}
art_root=$bin_dir/artifacts
if [ "$mode" = short ]; then
	secs=${FUZZ_SHORT_TIME:-8}
else
	secs=${FUZZ_TIME:-300}
fi

if [ $# -eq 0 ]; then
	for f in "$here"/fuzz_*.c; do
		n=${f##*/fuzz_}
		set -- "$@" "${n%.c}"
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tc-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# libFuzzer reports leaks and UB as crashes; make their reports readable.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

# One line of figures from a libFuzzer log: its final stats and the
# coverage of its last status line.
stats() {
	awk '
	/ DONE / || /^#[0-9]+\t(pulse|NEW|REDUCE|INITED|DONE)/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "cov:") cov = $(i + 1)
			if ($i == "ft:") ft = $(i + 1)
			if ($i == "corp:") corp = $(i + 1)
		}
	}
	/^stat::number_of_executed_units:/ { runs = $2 }
	/^stat::average_exec_per_sec:/ { eps = $2 }
	/^stat::peak_rss_mb:/ { rss = $2 }
	END {
		printf "%s runs, %s exec/s, cov %s, ft %s, corpus %s, peak RSS %s MB\n",
		       runs ? runs : "?", eps ? eps : "?", cov ? cov : "?",
		       ft ? ft : "?", corp ? corp : "?", rss ? rss : "?"
	}' "$1"
}

# Runs one target; writes $tmp/NAME.rc and $tmp/NAME.log.
run_one() {
	name=$1
	exe=$bin_dir/$name
	seeds=$here/corpus/$name
	log=$tmp/$name.log
	mkdir -p "$art_root/$name"
	if [ ! -x "$exe" ]; then
		echo "no binary $exe (run make fuzz-build)" >"$log"
		echo 1 >"$tmp/$name.rc"
		return
	fi
	if [ "$mode" = short ]; then
		corpus=$tmp/corpus-$name
		mkdir -p "$corpus"
		[ -d "$seeds" ] && cp -R "$seeds"/. "$corpus"/
		dirs=$corpus
	else
		corpus=$bin_dir/corpus/$name
		mkdir -p "$corpus"
		dirs="$corpus"
		[ -d "$seeds" ] && dirs="$corpus $seeds"
	fi
	dict=
	[ -f "$here/dict/$name.dict" ] && dict=-dict=$here/dict/$name.dict
	t0=$(date +%s)
	# shellcheck disable=SC2086 # word splitting of dirs, dict, FUZZ_ARGS intended
	"$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art_root/$name/" \
		$dict ${FUZZ_ARGS:-} $dirs >"$log" 2>&1
	echo $? >"$tmp/$name.rc"
	echo $(($(date +%s) - t0)) >"$tmp/$name.secs"
}

report() {
	name=$1
	n=$2
	log=$tmp/$name.log
	rc=$(cat "$tmp/$name.rc")
	if [ "$rc" = 0 ]; then
		echo "ok $n - fuzz $name"
	else
		echo "not ok $n - fuzz $name"
	fi
	echo "# fuzz $name: $(cat "$tmp/$name.secs" 2>/dev/null || echo 0) s, $(stats "$log") (exit $rc)"
	if [ "$rc" != 0 ]; then
		# the diagnosis, and the stack frames in our own sources
		grep -E 'ERROR:|SUMMARY:|invariant broken|runtime error|, reference |#[0-9]+ 0x.* in .*(src|tests)/.*\.c' "$log" |
			sed 's/ (BuildId: [0-9a-f]*)//' | head -30 | sed 's/^/#   /'
		unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		[ -n "$unit" ] && echo "#   reproduce: $bin_dir/$name $unit"
		[ -z "$unit" ] && tail -5 "$log" | sed 's/^/#   /'
	fi
	[ "$rc" = 0 ]
}

start=$(date +%s)
failed=0
n=$tap
set -- "$@" ""
while [ -n "$1" ]; do
	# start up to $jobs targets, then report them in order
	batch=
	k=0
	while [ -n "$1" ] && [ "$k" -lt "$jobs" ]; do
		run_one "$1" &
		batch="$batch $1"
		k=$((k + 1))
		shift
	done
	wait
	for name in $batch; do
		report "$name" "$n" || failed=$((failed + 1))
		n=$((n + 1))
	done
done
echo "# fuzz $mode: $((n - tap)) targets, $failed failed, $(($(date +%s) - start)) s"
[ "$failed" -eq 0 ]
