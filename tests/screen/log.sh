#!/bin/sh
# The Log screen: command output, a table, usage and an error; the session
# view ('s') with only the commands.
. "$(dirname "$0")/lib.sh"

make_store
screen_variants | while read size charset; do
	[ "$charset" = utf8 ] && [ -z "$utf8_locale" ] && continue
	run_screen "$size" "$charset" <<-SCRIPT
	:users
	:help import
	:nosuch
	5
	:save-display log.screen
	s
	:save-display session.screen
	SCRIPT
	assert_screen log.screen "log-$size-$charset.screen"
	assert_screen session.screen "session-$size-$charset.screen"
	[ $failed -eq 0 ] || exit 1
done || failed=1
finish
