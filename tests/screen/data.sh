#!/bin/sh
# The Data screen at 80x24 and 120x40, UTF-8 and ASCII; then scrolled.
. "$(dirname "$0")/lib.sh"

make_store
screen_variants | while read size charset; do
	[ "$charset" = utf8 ] && [ -z "$utf8_locale" ] && continue
	run_screen "$size" "$charset" <<-SCRIPT
	:save-display data.screen
	G
	:save-display data-end.screen
	SCRIPT
	assert_screen data.screen "data-$size-$charset.screen"
	assert_screen data-end.screen "data-end-$size-$charset.screen"
	[ $failed -eq 0 ] || exit 1
done || failed=1
finish
