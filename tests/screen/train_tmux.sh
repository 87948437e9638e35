#!/bin/sh
# Training beside the screen in a real terminal (tmux, 80x24): `:train`
# a model with many epochs, switch to the Train screen, see epochs come
# in while keys still work, resize to 60x20 and back mid-training, stop it
# with the screen's key (x), check it kept its epochs and that the
# header's training indicator goes when a job ends, quit; no crash.
. "$(dirname "$0")/lib.sh"

tmux_init
generated_log
batch -e 'import g.csv; split temporal 0.2 --valid 0.1' >/dev/null

tmux_start
wait_for 'Behaviour funnel' || finish
tm send-keys -t rf ':' 'train bpr --epochs 20000' Enter
wait_for 'training bpr in the background'
tm send-keys -t rf 2
wait_for 'bpr: running' || finish
# Epochs come in: the counter moves (polled until it does).
wait_for 'epoch [1-9][0-9]*/20000'
first=$(grep -o 'epoch [0-9]*/20000' "$tmp/pane" | head -1)
counter_moved()
{
	pane_has 'epoch [0-9]*/20000' &&
	    [ "$(grep -o 'epoch [0-9]*/20000' "$tmp/pane" | head -1)" != "$first" ]
}
wait_until "a move of the epoch counter from '$first'" counter_moved
# Keys still work mid-training: the help opens and closes.
tm send-keys -t rf '?'
wait_for 'Keys on Train'
tm send-keys -t rf Escape
wait_for 'bpr: running'
tm resize-window -t rf -x 60 -y 20
wait_for 'x:stop' && [ "$(wc -L < "$tmp/pane")" -le 60 ] ||
    { echo "$test_name: wider than 60 after the resize"; failed=1; }
tm resize-window -t rf -x 80 -y 24
wait_for 'Training loss'
tm send-keys -t rf x
wait_for 'bpr: stopped'
wait_for 'trained bpr: [0-9]+ epochs'
# The header's "training bpr N/20000" goes with the job, and again after
# a job that ends by itself (it once stayed, "training pop 0/1", until a
# key redrew the header).
header_idle()
{
	tm capture-pane -p -t rf > "$tmp/pane" 2>/dev/null &&
	    ! head -n 1 "$tmp/pane" | grep -q training
}
wait_until "a header without 'training' after the stop" header_idle
tm send-keys -t rf ':' 'train pop' Enter
wait_for 'trained pop: 1 epoch'
wait_until "a header without 'training' after pop's end" header_idle
# A choice after the fit (ease's recency on a split with validation): the
# log says what was tried and kept when the run ends.
tm send-keys -t rf ':' 'train ease' Enter
wait_for 'trained ease: 1 epoch'
tm send-keys -t rf 5
wait_for 'ease: after the fit: recency=0 [0-9.]+\*?, recency=3'
tm send-keys -t rf q
tmux_stopped
# The stopped run was recorded and its model saved like a finished one.
batch -o tsv -e models > "$tmp/models"
grep -q '^bpr' "$tmp/models" ||
    { echo "$test_name: no saved bpr:"; cat "$tmp/models"; failed=1; }
finish
