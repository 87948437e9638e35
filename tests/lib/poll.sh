# poll.sh: the one wait of the shell tests, sourced by tests/lib/lib.sh
# (end to end) and tests/screen/lib.sh (tmux).  A test waits for a
# condition, never for a time: poll_until runs CMD until it succeeds,
# 20 times a second; SECONDS only bounds a failure (on a loaded machine
# the condition comes late, never wrong).

# poll_until SECONDS CMD...: 0 once CMD succeeds, 1 when SECONDS pass
# without it.
poll_until()
{
	poll_n=$(( $1 * 20 ))
	shift
	while [ "$poll_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05	# the poll's interval, not a wait for a time
		poll_n=$((poll_n - 1))
	done
	"$@"
}
