#!/bin/sh
# recfuse in a real terminal: a detached tmux session at 80x24; switch
# screens, run `:users`, resize to 60x20 and back, open the help, quit;
# check the text on screen, that it exited cleanly, and that with -C the
# screen carries no colour.
. "$(dirname "$0")/lib.sh"

tmux_init
make_store

tmux_start
wait_for 'Behaviour funnel' || finish
tm send-keys -t rf 2
wait_for 'No training yet\.'
tm send-keys -t rf 5
wait_for 'Log \(command output'
tm send-keys -t rf ':' 'users' Enter
wait_for '> users'
tm resize-window -t rf -x 60 -y 20
wait_for '\?:help +::command' && [ "$(wc -L < "$tmp/pane")" -le 60 ] ||
    { echo "$test_name: wider than 60 after the resize"; failed=1; }
tm send-keys -t rf 1
wait_for 'Summary'
tm resize-window -t rf -x 80 -y 24
wait_for 'Activity over time'
tm send-keys -t rf '?'
wait_for 'Keys on Data'
tm send-keys -t rf Escape q
tmux_stopped

# -C: no colour at all (bold and reverse are allowed).
tmux_start -C
wait_for 'Behaviour funnel' || finish
tm capture-pane -e -p -t rf > "$tmp/pane-e"
# A colour is SGR 30-37, 40-47, 90-97, 100-107 or 38;/48; (39 and 49, the
# default colours, tmux writes everywhere).
esc=$(printf '\033')
colour_sgr="$esc\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]"
if grep -q -E "$colour_sgr" "$tmp/pane-e"; then
	echo "$test_name: colour escapes with -C:"
	cat -v "$tmp/pane-e" | head -5
	failed=1
fi
tm send-keys -t rf q
tmux_stopped

# Without -C the same screen has colour (so the check above means it).
tmux_start
wait_for 'Behaviour funnel' || finish
tm capture-pane -e -p -t rf > "$tmp/pane-e"
grep -q -E "$colour_sgr" "$tmp/pane-e" ||
    { echo "$test_name: no colour without -C"; failed=1; }
tm send-keys -t rf q
tmux_stopped
finish
