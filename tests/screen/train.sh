#!/bin/sh
# The Train screen at 80x24 and 120x40, UTF-8 and ASCII: three models
# trained beside the screen (one queued behind another) on a generated
# log with fixed seeds; the script reader waits while training runs.  The
# timings (the only line with seconds) are masked.  Then `stop --all`
# cancels a long run and empties the queue.
. "$(dirname "$0")/lib.sh"

generated_log
batch -e 'import g.csv; import-items g-items.tsv;
    split temporal 0.2 --valid 0.1' >/dev/null

# Seconds vary from run to run: "0.0466 s" and "0.004 s/epoch" -> "# s"
# (the Train screen's time line, and the message after training).
mask_times()
{
	sed -E 's/[0-9][0-9.]* s( |\/|;|,|$)/# s\1/g' "$tmp/$1" > "$tmp/$1.m" &&
	    mv "$tmp/$1.m" "$tmp/$1"
}

screen_variants | while read size charset; do
	[ "$charset" = utf8 ] && [ -z "$utf8_locale" ] && continue
	run_screen "$size" "$charset" <<-SCRIPT
	:train als --epochs 8
	:train bpr --epochs 12; train ease
	2
	:save-display train.screen
	k
	:save-display train-bpr.screen
	k
	:save-display train-als.screen
	SCRIPT
	for s in train train-bpr train-als; do
		mask_times $s.screen
		assert_screen $s.screen "$s-$size-$charset.screen"
	done
	[ $failed -eq 0 ] || exit 1
done || failed=1

# stop --all: the long run stops (keeping what it had), the queue empties.
run_screen 80x24 ascii <<-'SCRIPT'
:train bpr --epochs 100000; train als; train ease; stop --all
2
:save-display stop.screen
SCRIPT
if ! grep -q '^bpr *stopped' "$tmp/stop.screen" ||
    grep -q '^als\|^ease\|queue ' "$tmp/stop.screen"; then
	echo "$test_name: after stop --all:"
	cat "$tmp/stop.screen"
	failed=1
fi
finish
