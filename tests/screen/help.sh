#!/bin/sh
# The help overlay ('?'): built from the key bindings and the command
# table; its first page against the expected screen, its end (the command
# list, which grows with every command) by the usage lines on it; closed
# with Esc it gives the Data screen back.
. "$(dirname "$0")/lib.sh"

make_store
screen_variants | while read size charset; do
	[ "$charset" = utf8 ] && [ -z "$utf8_locale" ] && continue
	run_screen "$size" "$charset" <<-SCRIPT
	?
	:save-display help.screen
	G
	:save-display help-end.screen
	<Esc>
	:save-display closed.screen
	SCRIPT
	assert_screen help.screen "help-$size-$charset.screen"
	assert_screen closed.screen "data-$size-$charset.screen"
	for usage in 'save-display FILE' 'view data|train|fusion|user|log' \
	    'quit'; do
		if ! grep -q "^ *$usage\$" "$tmp/help-end.screen"; then
			echo "$test_name: '$usage' is not at the end of the help"
			cat "$tmp/help-end.screen"
			failed=1
		fi
	done
	[ $failed -eq 0 ] || exit 1
done || failed=1
finish
