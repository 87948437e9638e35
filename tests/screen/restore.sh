#!/bin/sh
# The session restore (app/tui/session.c), in a real terminal (tmux): a
# store with saved models and a stored fusion, opened again in the TUI,
# shows them at once: the message says what was loaded, the Fusion screen
# has the stored weights and measures them as batch mode does, the Train
# screen lists the runs of the earlier session (marked so).  A store
# without saved models loads nothing.
. "$(dirname "$0")/lib.sh"

tmux_init
make_store
cp "$tmp/screen.db" "$tmp/untrained.db"
generated_log
rm -f "$tmp/screen.db"
batch -e 'import g.csv' >/dev/null
train_fusion 'pop=0.2 itemknn=0.3 ease=0.5'
# What batch mode measures: the validation NDCG@10 of every row.
batch -o tsv -e weights | awk -F '\t' 'NR > 1 { print $1, $3 }' \
    > "$tmp/batch.ndcg"
[ "$(wc -l < "$tmp/batch.ndcg")" -eq 4 ] ||
    { echo "$test_name: batch weights:"; cat "$tmp/batch.ndcg"; exit 99; }

tmux_start
wait_for 'loaded 3 saved models and the stored fusion' || finish
tm send-keys -t rf 3
wait_for '^  fused .* 0\.[0-9]{4} ' || finish
grep -q -E '^> pop +\[.*\] +0\.20 ' "$tmp/pane" &&
    grep -q -E '^  itemknn +\[.*\] +0\.30 ' "$tmp/pane" &&
    grep -q -E '^  ease +\[.*\] +0\.50 ' "$tmp/pane" ||
    { echo "$test_name: not the stored weights:"; cat "$tmp/pane"; failed=1; }
awk '{ sub(/^[> ] /, "") }
    $1 ~ /^(pop|itemknn|ease|fused)$/ && $(NF - 1) ~ /^[0-9.]+$/ &&
    !seen[$1]++ { print $1, $(NF - 1) }' "$tmp/pane" > "$tmp/tui.ndcg"
if ! diff -u "$tmp/batch.ndcg" "$tmp/tui.ndcg"; then
	echo "$test_name: the restored fusion measures otherwise (- batch," \
	    "+ TUI)"
	failed=1
fi
tm send-keys -t rf 2
for m in pop itemknn ease; do
	wait_for "^$m +earlier +1/1( |\$)"
done
tm send-keys -t rf q
tmux_stopped

# Nothing saved: nothing loaded, no runs.
cp "$tmp/untrained.db" "$tmp/screen.db"
tmux_start
wait_for 'Behaviour funnel' || finish
tm send-keys -t rf 2
wait_for 'No training yet\.'
if grep -q 'loaded' "$tmp/pane"; then
	echo "$test_name: a store without models loaded something:"
	cat "$tmp/pane"
	failed=1
fi
tm send-keys -t rf q
tmux_stopped
finish
