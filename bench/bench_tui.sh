#!/bin/sh
# bench_tui.sh: what the TUI costs (issue 5's benchmark).
#  (a) the slowdown of training caused by the UI drawing live curves: the
#      same model, data and seed trained in batch mode and in the TUI
#      (under tmux, a real terminal, the Train screen showing), best of N
#      each; the time is the engine's own (runs.seconds in the store), so
#      start-up and polling do not count.  Target: ratio <= 1.10.
#  (b) bytes written to the terminal in 10 idle seconds (tmux pipe-pane
#      on the Train screen after training).  Target: 0.
# Needs tmux; skips (exit 0 with a note) without it.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
: "${RECFUSE:=$top_builddir/recfuse}"
: "${BENCH_TUI_ROWS:=300000}" "${BENCH_TUI_EPOCHS:=15}" "${BENCH_TUI_N:=3}"
: "${BENCH_TUI_IDLE:=10}"
export OPENBLAS_NUM_THREADS=1

bench=bench_tui
. "$top_srcdir/bench/tmux.sh"

"$top_builddir/samples/gen-taobao" --seed 7 --rows "$BENCH_TUI_ROWS" \
    --users $((BENCH_TUI_ROWS / 50)) --items $((BENCH_TUI_ROWS / 20)) \
    -o "$tmp/g.csv" || exit 1
"$RECFUSE" -e "import $tmp/g.csv; split temporal 0.2 --valid 0.1" \
    "$tmp/b.db" >/dev/null || exit 1
train="train bpr --epochs $BENCH_TUI_EPOCHS --seed 5"

# The seconds of the newest run in the store.
last_seconds()
{
	"$RECFUSE" -o tsv -e 'sql SELECT seconds FROM runs ORDER BY id DESC
	    LIMIT 1' "$tmp/b.db" | tail -n 1
}

start_tui()
{
	tm kill-server >/dev/null 2>&1
	for attempt in 1 2 3; do
		tm new-session -d -s rf -x 120 -y 40 "env -i HOME=$tmp/home \
		    PATH='$PATH' OPENBLAS_NUM_THREADS=1 LANG=${utf8:-C} \
		    TERM=tmux-256color '$RECFUSE' '$tmp/b.db'; sleep 60" \
		    2>/dev/null && break
		sleep 0.2
	done
	wait_for 'Behaviour funnel' 20
}

# CPU seconds of the UI (main) thread so far: utime + stime.
ui_cpu()
{
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) /
	    hz }' "/proc/$1/task/$1/stat" 2>/dev/null || echo 0
}

best_batch=
best_tui=
k=0
while [ $k -lt "$BENCH_TUI_N" ]; do
	"$RECFUSE" -e "$train" "$tmp/b.db" >/dev/null || exit 1
	s=$(last_seconds)
	best_batch=$(echo "$s ${best_batch:-$s}" |
	    awk '{ print ($1 < $2) ? $1 : $2 }')
	start_tui || exit 1
	pid=$(pgrep -P "$(tm list-panes -t rf -F '#{pane_pid}')" recfuse)
	tm send-keys -t rf 2
	# The Train screen: empty, or the runs of earlier sessions.
	wait_for 'No training yet|^Runs ' 10 || exit 1
	ui0=$(ui_cpu "$pid")
	tm send-keys -t rf ':' "$train" Enter
	wait_for 'trained bpr' 600 || exit 1
	ui1=$(ui_cpu "$pid")
	ui=$(echo "$ui0 $ui1 ${ui:-1e9}" | awk '{ d = $2 - $1;
	    print (d < $3) ? d : $3 }')
	tm send-keys -t rf q
	sleep 0.3
	s=$(last_seconds)
	best_tui=$(echo "$s ${best_tui:-$s}" |
	    awk '{ print ($1 < $2) ? $1 : $2 }')
	k=$((k + 1))
done
echo "bench_tui: training bpr ($BENCH_TUI_ROWS rows, $BENCH_TUI_EPOCHS epochs," \
    "best of $BENCH_TUI_N): batch $best_batch s, TUI with live curves" \
    "$best_tui s"
echo "$best_batch $best_tui" | awk '{ printf "bench_tui: slowdown ratio " \
    "TUI/batch = %.3f (target <= 1.10; wall times, noisy on a busy " \
    "machine)\n", $2 / $1 }'
echo "$ui $best_batch" | awk '{ printf "bench_tui: CPU of the UI thread " \
    "while training: %.2f s = %.1f%% of the training time (best run)\n",
    $1, 100 * $1 / $2 }'

# (b) idle output: the Train screen with curves, then nothing happens.
start_tui || exit 1
tm send-keys -t rf ':' "train bpr --epochs 3" Enter
wait_for 'trained bpr' 600 || exit 1
tm send-keys -t rf 2
wait_for 'bpr(#[0-9]+)?: done' 10 || exit 1
sleep 1
tm pipe-pane -o -t rf "cat > '$tmp/idle.out'"
sleep "$BENCH_TUI_IDLE"
tm pipe-pane -t rf
sleep 0.2
bytes=$(wc -c < "$tmp/idle.out")
echo "bench_tui: bytes written to the terminal in $BENCH_TUI_IDLE idle" \
    "seconds: $bytes (target 0)"
tm send-keys -t rf q
exit 0
