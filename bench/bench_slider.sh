#!/bin/sh
# bench_slider.sh: the key-to-screen latency of a fusion slider step
# (issue 10), in the real program in a real terminal (tmux): from the
# moment the TUI reads the key to the end of the frame that shows the
# step (the fused figure, its interval and the preview re-ranked), as
# the TUI itself records it under RECFUSE_KEY_TIMES.  Fine steps (H/L)
# go up and down in runs of ten, one key every 0.1 s; the median and the
# 95th percentile are printed.
#  (a) ml-100k u.data, six models (pop itemknn ease als bpr mf), fused:
#      aim < 16 ms median, < 50 ms p95.
#  (b) a generated store of BENCH_SLIDER_ROWS events (10M; samples/
#      gen-taobao --seed 5 --users 100000 --items 1000000 --categories
#      5000), pop, bpr and als, fused: aim < 100 ms p95 (the live figure
#      ranks the session's seeded sample of validation users: `set
#      sample-users`; `eval` gives the exact one).  BENCH_SLIDER_ROWS=0
#      skips it.
# Needs tmux; skips (exit 0 with a note) without it.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
: "${RECFUSE:=$top_builddir/recfuse}"
: "${RECFUSE_DATA:=$top_srcdir/../shared/data}"
: "${BENCH_SLIDER_KEYS:=100}" "${BENCH_SLIDER_ROWS:=10000000}"
export OPENBLAS_NUM_THREADS=1

bench=bench_slider
. "$top_srcdir/bench/tmux.sh"

# latency NAME STORE SECONDS: the TUI on STORE at 80x24, the Fusion
# screen once its figures are measured (SECONDS at most), the keys, the
# figures.
latency()
{
	rm -f "$tmp/keys" "$tmp/exit"
	tm kill-server >/dev/null 2>&1
	# (a new tmux server now and then exits at birth: again)
	for attempt in 1 2 3; do
		tm new-session -d -s rf -x 80 -y 24 "env -i HOME=$tmp/home \
		    PATH='$PATH' OPENBLAS_NUM_THREADS=1 LANG=${utf8:-C} \
		    TERM=tmux-256color RECFUSE_KEY_TIMES='$tmp/keys' \
		    '$RECFUSE' '$2'; echo \$? > '$tmp/exit'; sleep 60" \
		    2>/dev/null && break
		sleep 0.2
	done
	wait_for 'Behaviour funnel' 60 || return 1
	tm send-keys -t rf 3
	wait_for '^  fused .* 0\.[0-9]{4} ' "$3" || return 1
	k=0
	while [ $k -lt "$BENCH_SLIDER_KEYS" ]; do
		# Ten up, ten down: the weight stays inside (0, 1).
		if [ $((k / 10 % 2)) -eq 0 ]; then
			tm send-keys -t rf L
		else
			tm send-keys -t rf H
		fi
		sleep 0.1
		k=$((k + 1))
	done
	sleep 1
	tm send-keys -t rf q
	i=0
	while [ ! -s "$tmp/exit" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# The key codes of H (72) and L (76), in ms.
	awk '$1 == 72 || $1 == 76 { print $2 }' "$tmp/keys" | sort -n |
	    awk -v name="$1" '{ v[NR] = $1 }
	    END {
		if (NR == 0) { print "bench_slider: " name ": no keys"; exit }
		med = v[int((NR + 1) / 2)]
		p95 = v[int(NR * 0.95 + 0.999)]
		printf "bench_slider: %s: key to screen of a slider step, " \
		    "%d keys: median %.1f ms, p95 %.1f ms, max %.1f ms\n",
		    name, NR, med, p95, v[NR]
	    }'
}

# (a) ml-100k, six models
data="$RECFUSE_DATA/ml-100k/u.data"
if [ -r "$data" ]; then
	"$RECFUSE" "$tmp/ml.db" -e "import $data; split temporal 0.2 --valid 0.1;
	    train pop; train itemknn; train ease; train als; train bpr;
	    train mf; fuse weighted" > /dev/null || exit 1
	latency "ml-100k, 6 models (aim < 16 ms median, < 50 ms p95)" \
	    "$tmp/ml.db" 120
	rm -f "$tmp/ml.db"
else
	echo "bench_slider: $data not found: ml-100k skipped"
fi

# (b) the generated store
if [ "$BENCH_SLIDER_ROWS" -gt 0 ]; then
	start=$(date +%s)
	"$top_builddir/samples/gen-taobao" --seed 5 --users 100000 \
	    --items 1000000 --categories 5000 --rows "$BENCH_SLIDER_ROWS" \
	    -o "$tmp/big.csv" || exit 1
	"$RECFUSE" "$tmp/big.db" -e "import $tmp/big.csv;
	    split temporal 0.2 --valid 0.1; train pop; train bpr --epochs 5;
	    train als --epochs 3; fuse weighted" > /dev/null || exit 1
	rm -f "$tmp/big.csv"
	echo "bench_slider: the $BENCH_SLIDER_ROWS-event store made in" \
	    "$(( $(date +%s) - start )) s"
	latency "$BENCH_SLIDER_ROWS events, 3 models (aim < 100 ms p95)" \
	    "$tmp/big.db" 600
fi
exit 0
