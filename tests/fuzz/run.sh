#!/bin/sh
# run: the fuzzing step, called by `make fuzz` (tests/fuzz/fuzz.am).
#
#   run.sh check CC DIR        can CC build a libFuzzer harness?  (Debian:
#                              clang and libclang-rt-dev)  Exit 1 if not.
#   run.sh run SECONDS SRCDIR DIR HARNESS...
#                              run each DIR/fuzz_HARNESS for SECONDS on its
#                              seeds (SRCDIR/tests/fuzz/corpus/, the model
#                              blobs gen_model_seeds writes) and its own
#                              growing corpus in DIR/corpus/.
#
# A finding (a crash, a sanitizer report, a leak, an input that takes more
# than 10 s or 2 GB) fails the harness: its input is kept in
# DIR/artifacts/ and named; fix the cause and add the input to the
# harness's seed folder.  Ends with "N passed, N failed", one per harness.
set -u

if [ "${1:-}" = check ]; then
	cc=$2 dir=$3
	mkdir -p "$dir" || exit 1
	cat > "$dir/probe.c" <<-'PROBE'
	#include <stddef.h>
	#include <stdint.h>
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
	{ (void)d; (void)n; return 0; }
	PROBE
	if ! "$cc" -fsanitize=fuzzer,address,undefined "$dir/probe.c" \
	    -o "$dir/probe" 2>"$dir/probe.err"; then
		echo "fuzz: $cc cannot build a libFuzzer harness:"
		sed 's/^/  | /' "$dir/probe.err" | head -n 5
		echo "fuzz: on Debian: apt-get install clang libclang-rt-dev"
		echo "0 passed, 1 failed"
		exit 1
	fi
	exit 0
fi

[ "${1:-}" = run ] || { echo "usage: run.sh check CC DIR | run SECONDS" \
    "SRCDIR DIR HARNESS..." >&2; exit 2; }
secs=$2 srcdir=$3 dir=$4
shift 4
case $secs in
''|*[!0-9]*) echo "fuzz: FUZZ_SECONDS must be whole seconds, not '$secs'"
	exit 2 ;;
esac
mkdir -p "$dir/artifacts" "$dir/tmp" "$dir/corpus" "$dir/seeds/model_load"
export TMPDIR="$dir/tmp"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
export OPENBLAS_NUM_THREADS=1
"$dir/gen_model_seeds" "$dir/seeds/model_load" || {
	echo "fuzz: gen_model_seeds failed"; echo "0 passed, 1 failed"; exit 1; }

pass=0 fail=0 t0=$(date +%s)
for h in "$@"; do
	case $h in
	parsers|ingest) seeds=import ;;
	*) seeds=$h ;;
	esac
	work="$dir/corpus/$h"
	log="$dir/fuzz_$h.log"
	mkdir -p "$work"
	set -- "$srcdir/tests/fuzz/corpus/$seeds"
	[ "$h" = model_load ] && set -- "$@" "$dir/seeds/model_load"
	start=$(date +%s)
	"$dir/fuzz_$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$dir/artifacts/$h-" \
	    "$work" "$@" >"$log" 2>&1
	st=$?
	took=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	if [ $st -eq 0 ]; then
		pass=$((pass + 1))
		echo "fuzz_$h: ${runs:-?} runs in $took s," \
		    "$(ls "$work" | wc -l | tr -d ' ') inputs in its corpus:" \
		    "no finding"
	else
		fail=$((fail + 1))
		echo "fuzz_$h: FINDING (exit $st) after $took s; log $log"
		grep -E 'ERROR:|runtime error:|SUMMARY:|Test unit written' \
		    "$log" | head -n 8 | sed 's/^/  | /'
	fi
done
echo "fuzz: $((pass + fail)) harnesses, $secs s each, $(($(date +%s) - t0)) s"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
