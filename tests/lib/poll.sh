# poll.sh: the one wait of the shell tests, sourced by tests/lib/lib.sh
# (end to end) and tests/screen/lib.sh (tmux).  A test waits for a
# condition, never for a time: poll_until checks CMD, and between two
# checks it waits for something to happen.  SECONDS only bounds a
# failure (on a loaded machine the condition comes late, never wrong).
#
# What happens between two checks is a wait on an event, never a time:
# - POLL_EVENTS set: the caller has an event stream open on fd 7 (the
#   tmux tests: the pane's output, piped by tmux); the wait ends when
#   output comes.
# - POLL_PID set: the condition is about that process (its CPU time, a
#   row it writes); the wait ends when the process ends (then the check
#   fails at once rather than at the deadline).
# Either way a condition that no event announces (a file, the store, the
# CPU a process has used) is looked at again within a second.  Without
# either, poll_until refuses: there is nothing to wait on.

# poll_until SECONDS CMD...: 0 once CMD succeeds, 1 when SECONDS (of
# the clock) pass without it.
poll_until()
{
	poll_end=$(( $(date +%s) + $1 ))
	shift
	if [ -z "${POLL_EVENTS:-}" ] && [ -z "${POLL_PID:-}" ]; then
		echo "poll_until: no event to wait on (POLL_EVENTS, POLL_PID)" >&2
		return 2
	fi
	until "$@"; do
		if [ "$(date +%s)" -ge "$poll_end" ]; then
			"$@"
			return
		fi
		if [ -n "${POLL_EVENTS:-}" ]; then
			# the next output, whatever its size
			timeout 1 dd bs=65536 count=1 <&7 >/dev/null 2>&1
		else
			# the process's end
			timeout 1 tail --pid="$POLL_PID" -f /dev/null
		fi
	done
	return 0	# (the loop's status is its last wait's)
}
