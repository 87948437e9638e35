#!/bin/sh
# The User screen's timeline with a sequence model in the fusion: on a
# generated click log (seeded), a recurrent model and item-kNN trained on
# `split last 1` and fused; `user 14` shows the history in time order with
# the long pauses as lines of their own ("-- 3 days later --") and the
# history items behind the selected recommendation marked with their
# share; `h` opens the whole timeline at its newest end and `g` goes to
# its oldest.  What is checked is the form of the lines, not figures a
# BLAS library could round differently.
. "$(dirname "$0")/lib.sh"

generated_log
batch -e "import g.csv; import-items g-items.tsv; split last 1;
    train gru4rec --seed 1 --epochs 3; train itemknn --seed 1;
    fuse weighted; weights gru4rec=0.6 itemknn=0.4" >/dev/null

expect()	# FILE REGEX: a line of the saved screen matches
{
	if ! grep -q -E -- "$2" "$tmp/$1"; then
		echo "$test_name: no line matching '$2' on $1:"
		cat "$tmp/$1"
		failed=1
	fi
}

for size in 80x24 120x40; do
	run_screen "$size" ascii <<-SCRIPT
	4
	:user 14
	<Esc>
	:save-display user.screen
	h
	:save-display all.screen
	g
	:save-display oldest.screen
	SCRIPT
	expect user.screen '^History in 2017, in time order; > behind #1 '
	expect user.screen '^> [0-9]{2}-[0-9]{2} [0-9:]{5} [a-z,]+ +[^ ].* [0-9]+%( |$)'
	expect all.screen '\(j/k, Space/b, g/G; h or Esc: back\)'
	expect all.screen '^  -- [0-9]+ (minute|hour|day|week|month|year)s? later --$'
	expect all.screen '^> .* +[0-9]+%$'
	expect all.screen '^\* [0-9-]+ [0-9:]+ '
	expect oldest.screen '^  -- [0-9]+ (minute|hour|day|week|month|year)s? later --$'
	# The newest end first, the oldest after g: not the same lines.
	if cmp -s "$tmp/all.screen" "$tmp/oldest.screen"; then
		echo "$test_name: g did not scroll the timeline ($size)"
		failed=1
	fi
done
finish
