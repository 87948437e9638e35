#!/bin/sh
# The Fusion and User screens in a real terminal (tmux, 80x24): three
# models trained in batch mode; open the Fusion screen, move the pop
# slider down to 0 and see the fused metrics line change, and the store
# take the weights once the slider rests (about a second); pick user 1
# through the console (u types `user `); resize to 60x20 and back on the
# User screen; quit cleanly.
. "$(dirname "$0")/lib.sh"

tmux_init
make_store
train_fusion

tmux_start
wait_for 'Behaviour funnel' || finish
# `eval` loads the saved models (its table goes to the Log).
tm send-keys -t rf ':' 'eval' Enter
wait_for '> eval'
tm send-keys -t rf 3
tm send-keys -t rf ':' 'fuse weighted' Enter
wait_for '> fuse weighted'
tm send-keys -t rf 3
wait_for '^  fused .* 0\.2891 ' || finish
tm send-keys -t rf h h h h
wait_for '^  fused .* 0\.5000 ' ||
    { echo "$test_name: the fused metrics did not follow the slider"; }
wait_for '^> pop +\[.*\] +0\.00 '
# The slider rests: the weights reach the store (polled until they do).
stored_pop0()
{
	batch --read-only -o tsv -e "sql select value from settings where
	    key = 'fusion'" > "$tmp/stored"
	grep -q ' w=pop:0,' "$tmp/stored"
}
wait_until "the weights in the store" stored_pop0 ||
    { echo "$test_name: stored:"; cat "$tmp/stored"; }
tm send-keys -t rf u
wait_for '^:user'
tm send-keys -t rf 1 Enter
wait_for 'Top 10 for user 1 '
tm send-keys -t rf 4
wait_for 'Why #1 '
tm resize-window -t rf -x 60 -y 20
wait_for '^Recommended' && [ "$(wc -L < "$tmp/pane")" -le 60 ] ||
    { echo "$test_name: wider than 60 after the resize"; failed=1; }
tm resize-window -t rf -x 80 -y 24
wait_for '^History( in [0-9]+,)? in time order'
tm send-keys -t rf q
tmux_stopped
finish
