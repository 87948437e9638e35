#!/bin/sh
# Every screen under the terminals users bring (xterm-256color, screen,
# tmux-256color, linux, vt100, 8-colour xterm), with colours and with -C:
# no crash, and on the virtual screen exactly the expected text whatever
# the terminal (the terminal changes escape sequences, never what is
# shown; times are masked): each screen against tests/screen/expected/
# terms-N-80x24-ascii.screen.  At least the first terminal must exist.
. "$(dirname "$0")/lib.sh"

make_store
checked=0
for term in xterm-256color screen tmux-256color linux vt100 xterm; do
	if command -v infocmp >/dev/null 2>&1 && ! infocmp "$term" \
	    >/dev/null 2>&1; then
		echo "terms: $term: no terminfo entry, skipped"
		continue
	fi
	for colour in "" -C; do
		rm -f "$tmp"/[1-5].screen
		cp "$tmp/screen.db" "$tmp/store.db"
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
		cp "$tmp/store.db" "$tmp/screen.db"
		[ $failed -eq 0 ] || { echo "terms: $term $colour failed"; break 2; }
		for n in 1 2 3 4 5; do
			sed 's/[0-9][0-9.e+-]* s\b/# s/g' "$tmp/$n.screen" \
			    > "$tmp/$n.masked" && mv "$tmp/$n.masked" "$tmp/$n.screen"
			assert_screen $n.screen terms-$n-80x24-ascii.screen
		done
		[ $failed -eq 0 ] || { echo "terms: $term $colour differs"; break 2; }
		checked=$((checked + 1))
	done
done
[ $checked -gt 0 ] || { echo "terms: no terminal checked"; failed=1; }
finish
