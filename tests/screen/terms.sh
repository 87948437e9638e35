#!/bin/sh
# Every screen under the terminals users bring (xterm-256color, screen,
# tmux-256color, linux, vt100, 8-colour xterm), with colours and with -C:
# no crash, and the same text on the virtual screen whatever the terminal
# (the terminal changes escape sequences, never what is shown; times are
# masked).
. "$(dirname "$0")/lib.sh"

make_store
ref=
for term in xterm-256color screen tmux-256color linux vt100 xterm; do
	if command -v infocmp >/dev/null 2>&1 && ! infocmp "$term" \
	    >/dev/null 2>&1; then
		echo "terms: $term: no terminfo entry, skipped"
		continue
	fi
	for colour in "" -C; do
		SCREEN_TERM=$term run_screen 80x24 ascii $colour <<-'SCRIPT'
		:split temporal 0.2
		:train pop
		:fuse weighted
		1
		:save-display 1.screen
		2
		:save-display 2.screen
		3
		l
		:save-display 3.screen
		4
		<Enter>
		:save-display 4.screen
		5
		?
		:save-display 5.screen
		<Resize:60x20>
		<Resize:80x24>
		q
		SCRIPT
		[ $failed -eq 0 ] || { echo "terms: $term $colour failed"; break 2; }
		cat "$tmp"/1.screen "$tmp"/2.screen "$tmp"/3.screen \
		    "$tmp"/4.screen "$tmp"/5.screen |
		    sed 's/[0-9][0-9.e+-]* s\b/# s/g' > "$tmp/all.$term$colour"
		grep -q "Behaviour funnel" "$tmp/all.$term$colour" || {
			echo "terms: $term $colour: no Data screen"
			failed=1
		}
		if [ -z "$ref" ]; then
			ref="$tmp/all.$term$colour"
		elif ! diff -u "$ref" "$tmp/all.$term$colour" >/dev/null; then
			echo "terms: $term $colour shows other text than $(basename "$ref")"
			diff -u "$ref" "$tmp/all.$term$colour" | head -n 20
			failed=1
		fi
	done
done
finish
