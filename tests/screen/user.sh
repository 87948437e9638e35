#!/bin/sh
# The User screen at 80x24 and 120x40, UTF-8 and ASCII: three models
# trained in batch mode (fixed seeds) on the tiny sample, fused; the list
# of users to pick from, then `user 1` with the history, the fused top-K
# with contribution bars and the first item's explanation; the third
# item's explanation in full (j j Enter); and the pick from the list (j
# Enter picks user 2).
. "$(dirname "$0")/lib.sh"

make_store
train_fusion
cp "$tmp/screen.db" "$tmp/trained.db"
screen_variants | while read size charset; do
	[ "$charset" = utf8 ] && [ -z "$utf8_locale" ] && continue
	cp "$tmp/trained.db" "$tmp/screen.db"
	run_screen "$size" "$charset" <<-SCRIPT
	:eval
	4
	<Esc>
	:save-display list.screen
	:user 1
	<Esc>
	:save-display user.screen
	j
	j
	<Enter>
	:save-display why.screen
	SCRIPT
	assert_screen list.screen "user-list-$size-$charset.screen"
	assert_screen user.screen "user-$size-$charset.screen"
	assert_screen why.screen "user-why-$size-$charset.screen"
	[ $failed -eq 0 ] || exit 1
done || failed=1
# Picking from the list runs `user 2` (monochrome).
cp "$tmp/trained.db" "$tmp/screen.db"
run_screen 80x24 ascii -C <<-SCRIPT
:eval
4
j
<Enter>
<Esc>
:save-display picked.screen
SCRIPT
assert_screen picked.screen user-picked-80x24-ascii.screen
finish
