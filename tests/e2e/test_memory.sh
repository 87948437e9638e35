#!/bin/sh
# Memory limits (issue 11, finding 1): under `ulimit -v`, training ends
# within 10 s with a clear error that names the need (and a smaller
# setting), or succeeds.  It used to hang: OpenBLAS 0.3.21 retries a failed
# map of its work buffer forever, in `train ease` on ml-100k, in the
# evaluators' worker threads, and in its own threads at exit.  A hang shows
# as timeout's status 124, a failure here.
set -u
. "${top_srcdir:-.}/tests/lib/lib.sh"
need_data

db="$tmp/m.db"
ml="$RECFUSE_DATA/ml-100k/u.data"
lastfm="$RECFUSE_DATA/lastfm-hetrec2011-2k/user_artists.dat"

# limited KB THREADS CMD...: CMD under `ulimit -v KB` and a watchdog of
# $watchdog seconds (10: the bound for EASE), with OpenBLAS's
# thread count THREADS ("unset": OpenBLAS starts one thread per core
# before main).  Sets st, out and err like run_ok.
watchdog=10
limited() {
	kb=$1
	threads=$2
	shift 2
	(
		ulimit -v "$kb" || exit 99
		if [ "$threads" = unset ]; then
			unset OPENBLAS_NUM_THREADS
		else
			OPENBLAS_NUM_THREADS=$threads
			export OPENBLAS_NUM_THREADS
		fi
		exec timeout "$watchdog" "$@"
	) >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
}

# finished DESC: the last limited run ended by itself, with success or an
# error (1), not the watchdog (124) or a signal.
finished() {
	check "$1: finished in $watchdog s (exit $st)" \
	    sh -c "[ $st -eq 0 ] || [ $st -eq 1 ]"
	if [ "$st" -ne 0 ] && [ "$st" -ne 1 ]; then
		sed 's/^/  | /' "$tmp/err" | head -n 5
	fi
}

run_ok "import ml-100k and split" "$RECFUSE" "$db" \
    -e "import $ml; split temporal 0.2"

for threads in 1 unset; do
	# Enough for EASE on ml-100k: it trains.  Not enough for BLAS's
	# work buffer: a clear error that says what to raise, at once.
	limited 400000 "$threads" "$RECFUSE" "$db" -e "train ease"
	finished "train ease, ulimit -v 400000, BLAS threads $threads"
	check "it trained" [ "$st" -eq 0 ]
	expect_out "ease trained at 400000 ($threads)" "^trained ease"
	for kb in 300000 150000 100000; do
		limited "$kb" "$threads" "$RECFUSE" "$db" -e "train ease"
		finished "train ease, ulimit -v $kb, BLAS threads $threads"
		if [ "$st" -ne 0 ]; then
			expect_err "ulimit -v $kb ($threads): the need named" \
			    "needs [0-9.]* [kMG]B.*, but only [0-9.]* [kMG]B"
			expect_err "ulimit -v $kb ($threads): the limit named" \
			    "address-space limit .*ulimit -v"
			check "ulimit -v $kb ($threads): no advice to raise lambda" \
			    sh -c "! grep -q 'raise lambda' '$tmp/err'"
		fi
	done
	# 150 MB cannot hold BLAS's 128 MB buffer beside the program.
	limited 150000 "$threads" "$RECFUSE" "$db" -e "train ease"
	check "150000 ($threads): refused" [ "$st" -eq 1 ]
	expect_err "150000 ($threads): what to raise" \
	    "work buffer.*raise the limit to at least [0-9]* kB"
	# A command that needs no BLAS works, and exits (OpenBLAS's own
	# threads used to spin at exit).
	limited 150000 "$threads" "$RECFUSE" "$db" -e "stats"
	finished "stats, ulimit -v 150000, BLAS threads $threads"
	check "stats ran" [ "$st" -eq 0 ]
done

# The models whose evaluation ran BLAS on two threads, each thread
# mapping a buffer of its own: with room for one, they finish (a watchdog
# for a hang: training takes seconds, more on a busy machine).
watchdog=60
for m in als bpr mf svdpp neural; do
	limited 400000 unset "$RECFUSE" "$db" -e "train $m --epochs 1"
	finished "train $m, ulimit -v 400000"
	expect_out "$m trained at 400000" "^trained $m"
done

# A catalogue too large for a dense B: the refusal names a max_items
# that fits, and training with it succeeds under the same limit.
watchdog=10
if [ -f "$lastfm" ]; then
	run_ok "import lastfm and split" "$RECFUSE" "$tmp/l.db" \
	    -e "import $lastfm; split temporal 0.2"
	limited 400000 1 "$RECFUSE" "$tmp/l.db" -e \
	    "train ease max_items=20000"
	finished "train ease max_items=20000 on lastfm"
	check "lastfm at 400000: refused" [ "$st" -eq 1 ]
	expect_err "B's need named" \
	    "ease: B (17632 x 17632 floats) and saving it needs [0-9.]* GB"
	expect_err "a smaller max_items advised" "; try max_items=[0-9]*$"
	fit=$(sed -n 's/.*try max_items=\([0-9]*\)$/\1/p' "$tmp/err")
	limited 400000 1 "$RECFUSE" "$tmp/l.db" -e \
	    "train ease max_items=${fit:-0}"
	finished "train ease max_items=$fit on lastfm"
	expect_out "the advice works: max_items=$fit trains and saves" \
	    "^trained ease"
fi

finish
