# poll.sh: the one wait of the shell tests, sourced by tests/lib/lib.sh
# (end to end) and tests/screen/lib.sh (tmux).  A test waits for a
# condition, never for a time: poll_until checks CMD, and between two
# checks it waits for something to happen.  SECONDS only bounds a
# failure (on a loaded machine the condition comes late, never wrong).
#
# What happens: with POLL_EVENTS set, the caller has an event stream
# open on fd 7 (the tmux tests: the pane's output, piped by tmux), and
# the wait ends when output comes; a condition that no output announces
# (a file, the store) is looked at again within a second.  Without an
# event stream (the end-to-end tests' few waits on a process), CMD is
# checked 20 times a second.

# poll_until SECONDS CMD...: 0 once CMD succeeds, 1 when SECONDS (of
# the clock) pass without it.
poll_until()
{
	poll_end=$(( $(date +%s) + $1 ))
	shift
	until "$@"; do
		if [ "$(date +%s)" -ge "$poll_end" ]; then
			"$@"
			return
		fi
		if [ -n "${POLL_EVENTS:-}" ]; then
			# the next output, whatever its size
			timeout 1 dd bs=65536 count=1 <&7 >/dev/null 2>&1
		else
			sleep 0.05	# no event to wait for: the interval
		fi
	done
	return 0	# (the loop's status is its last wait's)
}
