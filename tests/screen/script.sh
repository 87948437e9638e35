#!/bin/sh
# The script driver itself (app/tui/script.c): a wrong key name, a bad
# size or an unterminated name ends the run with status 1 and says where
# (FILE:LINE); comments and blank lines are skipped; the end of the
# script quits with status 0.
. "$(dirname "$0")/lib.sh"

make_store

# expect_script_error TEXT: the last run failed with TEXT on stderr.
expect_script_error()
{
	if [ $rc -ne 1 ] || ! grep -q -F -- "$1" "$tmp/stderr"; then
		echo "$test_name: expected status 1 and '$1', got $rc:"
		cat "$tmp/stderr"
		failed=1
	fi
}

# run_script: like run_screen, but a failing run is what is tested.
run_script()
{
	failed_before=$failed
	run_screen 80x24 ascii
	failed=$failed_before
}

printf '# a comment\n\n5\n:save-display log.screen\n' > "$tmp/in"
run_script < "$tmp/in"
[ $rc -eq 0 ] && [ -s "$tmp/log.screen" ] ||
    { echo "$test_name: a plain script ended with $rc"; failed=1; }

printf '1\n\n# two\nj<Nope>k\n' > "$tmp/in"
run_script < "$tmp/in"
expect_script_error 'script:4: unknown key name: <Nope>'
printf '<Resize:0x5>\n' > "$tmp/in"
run_script < "$tmp/in"
expect_script_error 'script:1: bad size: Resize:0x5'
printf 'j\n<Down\n' > "$tmp/in"
run_script < "$tmp/in"
expect_script_error 'script:2: unterminated key name: <Down'
finish
