#!/bin/sh
# The Fusion screen at 80x24 and 120x40, UTF-8 and ASCII: three models
# trained in batch mode (fixed seeds) on the tiny sample, `fuse weighted`
# with set weights; then the pop slider moved down four steps (h), which
# re-ranks the preview and changes the fused metrics; and, in monochrome,
# the method cycled (m).  Before any model: the how-to; after `eval` in a
# new session (fusion rebuilt, not measured yet): sliders, metrics "-".
. "$(dirname "$0")/lib.sh"

make_store
(cd "$tmp" && env -i HOME="$tmp/home" PATH="$PATH" TZ=UTC \
    OPENBLAS_NUM_THREADS=1 "$RECFUSE" -e 'view fusion' screen.db \
    >/dev/null 2>&1)
# The how-to first (no model yet), in one size.
run_screen 80x24 ascii <<-SCRIPT
3
:save-display empty.screen
SCRIPT
assert_screen empty.screen fusion-empty-80x24-ascii.screen
(cd "$tmp" && env -i HOME="$tmp/home" PATH="$PATH" TZ=UTC \
    OPENBLAS_NUM_THREADS=1 "$RECFUSE" -e 'split temporal 0.2 --valid 0.2
    --seed 1; train pop --seed 1; train itemknn --seed 1; train ease
    --seed 1; fuse weighted; weights pop=0.2 itemknn=0.4 ease=0.4' \
    screen.db >/dev/null 2>"$tmp/train.err") ||
    { cat "$tmp/train.err"; exit 99; }
cp "$tmp/screen.db" "$tmp/trained.db"
screen_variants | while read size charset; do
	[ "$charset" = utf8 ] && [ -z "$utf8_locale" ] && continue
	cp "$tmp/trained.db" "$tmp/screen.db"
	# `eval` loads the saved models; Esc clears the message line.
	run_screen "$size" "$charset" <<-SCRIPT
	:eval
	:user 1
	3
	<Esc>
	:save-display fusion.screen
	h
	h
	h
	h
	<Esc>
	:save-display fusion-moved.screen
	SCRIPT
	assert_screen fusion.screen "fusion-$size-$charset.screen"
	assert_screen fusion-moved.screen "fusion-moved-$size-$charset.screen"
	[ $failed -eq 0 ] || exit 1
done || failed=1
# Monochrome: the fusion as `eval` rebuilt it (not measured yet), then
# the method cycled to rrf (m) and the normalisation to minmax (n).
cp "$tmp/trained.db" "$tmp/screen.db"
run_screen 80x24 ascii -C <<-SCRIPT
:eval
3
:save-display unfused.screen
j
m
n
<Esc>
:save-display rrf.screen
SCRIPT
assert_screen unfused.screen fusion-unfused-80x24-ascii.screen
assert_screen rrf.screen fusion-rrf-80x24-ascii.screen
finish
