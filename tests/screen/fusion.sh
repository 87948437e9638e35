#!/bin/sh
# The Fusion screen.  Before any model: the how-to.  Then three models
# trained in batch mode (fixed seeds) on a generated log where they differ
# (pop far behind itemknn and ease), `fuse weighted` with set weights; at
# 80x24 and 120x40, UTF-8 and ASCII: the screen, and the pop slider moved
# down four steps (h), which re-ranks the preview.  What the figures must
# do: every model measures its own, the fused one differs from each; a
# slider move changes the fused figures and no single one; a model alone
# at weight 1 gives the fused figures of that model.  In monochrome, after
# `eval` in a new session (fusion rebuilt, not measured yet): sliders,
# metrics "-"; then the method cycled (m) and the normalisation (n).
. "$(dirname "$0")/lib.sh"

make_store
# The how-to first (no model yet), in one size.
run_screen 80x24 ascii <<-SCRIPT
3
:save-display empty.screen
SCRIPT
assert_screen empty.screen fusion-empty-80x24-ascii.screen

generated_log
rm -f "$tmp/screen.db"
batch -e 'import g.csv; import-items g-items.tsv' >/dev/null
train_fusion
cp "$tmp/screen.db" "$tmp/trained.db"

# figures ROW SCREEN: "NDCG RECALL" as a row of the Fusion screen shows
# them (ROW: a model or fused; at 80 columns, where the preview is below).
figures()
{
	awk -v row="$1" '{ sub(/^[> ] /, "") }
	    $1 == row { print $(NF - 1), $NF; exit }' "$tmp/$2"
}

# expect_figures WHAT SCREEN ROW = ROW2 [SCREEN2] | ROW != ROW2 [SCREEN2]
expect_figures()
{
	what=$1 a=$(figures "$3" "$2") b=$(figures "$5" "${6:-$2}")
	if [ -z "$a" ] || [ -z "$b" ] || [ "$a" = "- -" ] ||
	    { [ "$4" = = ] && [ "$a" != "$b" ]; } ||
	    { [ "$4" != = ] && [ "$a" = "$b" ]; }; then
		echo "$test_name: $what: $3 on $2 shows '$a', $5 on" \
		    "${6:-$2} shows '$b'"
		cat "$tmp/$2"
		failed=1
	fi
}

screen_variants | while read size charset; do
	[ "$charset" = utf8 ] && [ -z "$utf8_locale" ] && continue
	cp "$tmp/trained.db" "$tmp/screen.db"
	# `eval` loads the saved models; Esc clears the message line.  Then
	# pop to 0; itemknn alone (up 11 steps from 0.5: the last one is
	# refused at 1); ease alone.
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
	j
	lllllllllll
	<Esc>
	:save-display itemknn.screen
	j
	llllllllllllllllllllll
	<Esc>
	:save-display ease.screen
	SCRIPT
	assert_screen fusion.screen "fusion-$size-$charset.screen"
	assert_screen fusion-moved.screen "fusion-moved-$size-$charset.screen"
	if [ "$size" = 80x24 ]; then
		s=fusion.screen
		expect_figures "two models measure alike" $s pop != itemknn
		expect_figures "two models measure alike" $s pop != ease
		expect_figures "two models measure alike" $s itemknn != ease
		for m in pop itemknn ease; do
			expect_figures "fused is one model" $s fused != $m
			expect_figures "a slider moved a single model" \
			    fusion-moved.screen $m = $m $s
		done
		expect_figures "the slider changed nothing" fusion-moved.screen \
		    fused != fused $s
		expect_figures "itemknn alone" itemknn.screen fused = itemknn
		expect_figures "ease alone" ease.screen fused = ease
		expect_figures "the models alone measure alike" ease.screen \
		    fused != fused itemknn.screen
		grep -q '^> itemknn .* 1\.00 ' "$tmp/itemknn.screen" ||
		    { echo "$test_name: itemknn not at 1"; failed=1; }
		cp "$tmp/fusion.screen" "$tmp/weighted.screen"
	fi
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
expect_figures "rrf changed nothing" rrf.screen fused != fused \
    weighted.screen
finish
