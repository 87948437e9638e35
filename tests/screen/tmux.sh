#!/bin/sh
# recfuse in a real terminal: a detached tmux session at 80x24; switch
# screens, run `:users`, resize to 60x20 and back, open the help, quit;
# check the text on screen, that it exited cleanly, and that with -C the
# screen carries no colour.  tmux is polled (capture-pane) until the
# expected text shows, with a deadline, since a real terminal is not idle
# on our schedule.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "$test_name: no tmux"; exit 77; }
[ -n "$utf8_locale" ] || { echo "$test_name: no UTF-8 locale"; exit 77; }
make_store

sock="$tmp/tmux.sock"
tm()
{
	tmux -S "$sock" -f /dev/null "$@"
}
trap 'tm kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# wait_for TEXT: until a line of the pane contains TEXT (10 s at most).
wait_for()
{
	i=0
	while [ $i -lt 100 ]; do
		if tm capture-pane -p -t rf > "$tmp/pane" 2>/dev/null &&
		    grep -q -F -- "$1" "$tmp/pane"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "$test_name: '$1' never showed; the pane:"
	cat "$tmp/pane"
	failed=1
	return 1
}

start()	# recfuse options
{
	tm kill-server >/dev/null 2>&1
	rm -f "$tmp/exit"
	# A new tmux server now and then exits at birth ("server exited
	# unexpectedly"): try again before calling the test broken.
	for attempt in 1 2 3; do
		tm new-session -d -s rf -x 80 -y 24 "cd '$tmp' && env -i \
		    HOME='$tmp/home' PATH='$PATH' TZ=UTC \
		    LANG=$utf8_locale TERM=tmux-256color '$RECFUSE' $* \
		    screen.db; echo \$? > '$tmp/exit'; sleep 30" \
		    2>"$tmp/tmux.err" && return 0
		sleep 0.2
	done
	cat "$tmp/tmux.err"
	exit 99
}

stopped()	# the exit status file appears once recfuse has ended
{
	i=0
	while [ $i -lt 100 ] && [ ! -s "$tmp/exit" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$(cat "$tmp/exit" 2>/dev/null)" != 0 ]; then
		echo "$test_name: recfuse ended with '$(cat "$tmp/exit" \
		    2>/dev/null)' (or hung)"
		tm capture-pane -p -t rf
		failed=1
	fi
}

start
wait_for 'Behaviour funnel' || finish
tm send-keys -t rf 2
wait_for 'No training yet.'
tm send-keys -t rf 5
wait_for 'Log (command output'
tm send-keys -t rf ':' 'users' Enter
wait_for '> users'
tm resize-window -t rf -x 60 -y 20
wait_for '?:help  ::command' && [ "$(wc -L < "$tmp/pane")" -le 60 ] ||
    { echo "$test_name: wider than 60 after the resize"; failed=1; }
tm send-keys -t rf 1
wait_for 'Summary'
tm resize-window -t rf -x 80 -y 24
wait_for 'Activity over time'
tm send-keys -t rf '?'
wait_for 'Keys on Data'
tm send-keys -t rf Escape q
stopped

# -C: no colour at all (bold and reverse are allowed).
start -C
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
stopped

# Without -C the same screen has colour (so the check above means it).
start
wait_for 'Behaviour funnel' || finish
tm capture-pane -e -p -t rf > "$tmp/pane-e"
grep -q -E "$colour_sgr" "$tmp/pane-e" ||
    { echo "$test_name: no colour without -C"; failed=1; }
tm send-keys -t rf q
stopped
finish
