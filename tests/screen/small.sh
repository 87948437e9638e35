#!/bin/sh
# Below 60x16 the screen says so instead of drawing; back at 80x24 it is
# whole again; at 60x20 the Data screen lays out in one column.
. "$(dirname "$0")/lib.sh"

make_store
run_screen 80x24 ascii <<-'SCRIPT'
<Resize:50x14>
:save-display small.screen
5
<Resize:60x20>
1
:save-display narrow.screen
<Resize:80x24>
:save-display again.screen
SCRIPT
assert_screen small.screen small-50x14.screen
assert_screen narrow.screen data-60x20-ascii.screen
assert_screen again.screen data-80x24-ascii.screen
finish
