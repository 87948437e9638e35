#!/bin/sh
# The session log is a script: what is done by hand in the TUI (commands
# typed, and keys such as a fusion slider move, which run `weights`) is
# saved with `save-session` and replayed with `recfuse -f` on a fresh copy
# of the data to the same state: the same models and the same fusion.
. "$(dirname "$0")/lib.sh"

make_store
run_screen 80x24 ascii <<-'SCRIPT'
:split temporal 0.2 --valid 0.2
:train pop
:train itemknn
:nosuchcommand
:fuse weighted
3
j
l
l
:save-session session.rf
:view data
SCRIPT

# The replay: the same imports as make_store, then the saved session.
(cd "$tmp" && env -i HOME="$tmp/home" PATH="$PATH" TZ=UTC \
    "$RECFUSE" -e 'import tiny.csv; import-items tiny-items.tsv;
    import rejects.csv' replay.db >/dev/null 2>&1 &&
    env -i HOME="$tmp/home" PATH="$PATH" TZ=UTC \
    "$RECFUSE" replay.db -f session.rf >"$tmp/replay.out" 2>&1) || {
	echo "session: the replay failed"
	cat "$tmp/replay.out"
	failed=1
}
for f in session.rf; do
	[ -s "$tmp/$f" ] || { echo "session: $f not written"; failed=1; }
done
if ! grep -q '^weights ' "$tmp/session.rf"; then
	echo "session: the slider moves are not in the session script"
	cat "$tmp/session.rf"
	failed=1
fi
if grep -q 'nosuchcommand\|^view\|save-session' "$tmp/session.rf"; then
	echo "session: failed or TUI-only commands in the session script"
	cat "$tmp/session.rf"
	failed=1
fi
# The same state: the stored fusion with its weights and metrics.
(cd "$tmp" && env -i HOME="$tmp/home" PATH="$PATH" TZ=UTC \
    "$RECFUSE" screen.db -e 'weights' >"$tmp/tui.w" 2>&1)
(cd "$tmp" && env -i HOME="$tmp/home" PATH="$PATH" TZ=UTC \
    "$RECFUSE" replay.db -e 'weights' >"$tmp/replay.w" 2>&1)
if ! diff -u "$tmp/tui.w" "$tmp/replay.w"; then
	echo "session: the replayed fusion differs (above: - TUI, + replay)"
	failed=1
fi
grep -q itemknn "$tmp/tui.w" || { echo "session: no fusion"; cat "$tmp/tui.w"; failed=1; }
finish
