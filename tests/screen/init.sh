#!/bin/sh
# --init FILE in a real terminal (tmux): its commands run one at a time,
# each when the training the one before queued is done; a failing command
# says FILE:LINE and ends the init script (the commands after it are not
# run), and the TUI stays.
. "$(dirname "$0")/lib.sh"

tmux_init
make_store
cat > "$tmp/init.rf" <<-'INIT'
	# set up
	split temporal 0.2
	:train pop
	view train
	nosuchcommand
	view data
INIT

tmux_start --init init.rf
wait_for '^pop +done +1/1 ' || finish
wait_for 'init\.rf:5: unknown command: nosuchcommand'
grep -q 'Behaviour funnel' "$tmp/pane" &&
    { echo "$test_name: the line after the failing one ran"; failed=1; }
tm send-keys -t rf q
tmux_stopped
finish
