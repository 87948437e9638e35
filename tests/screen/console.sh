#!/bin/sh
# The console: ':' focuses it, Tab completes command names, screen names
# and options, the list of choices goes to the message line, Up recalls,
# Ctrl-R searches the history, Esc goes back; the history file is 0600.
. "$(dirname "$0")/lib.sh"

[ -n "$utf8_locale" ] || { echo "$test_name: no UTF-8 locale"; exit 77; }
make_store
run_screen 80x24 utf8 <<-'SCRIPT'
<Colon>us<Tab>s<Enter>
:save-display typed.screen
<Colon>vi<Tab>da<Tab><Enter>
:save-display view.screen
<Colon>help i<Tab>
:save-display choices.screen
<Esc><Colon>rejects --l<Tab>
:save-display option.screen
<Esc><Colon><C-r>us
:save-display search.screen
<Esc><Esc><Colon><Up><Up>
:save-display history.screen
<Esc>
:save-display back.screen
<Colon>train al<Tab>fa<Tab>
:save-display param.screen
<Esc><Colon>recommend 1 --model fu<Tab>
:save-display modelopt.screen
<Esc>
SCRIPT

expect()	# FILE TEXT: a line of the saved screen matches
{
	if ! grep -q -- "$2" "$tmp/$1"; then
		echo "$test_name: no '$2' on $1:"
		cat "$tmp/$1"
		failed=1
	fi
}

expect typed.screen '^> users$'
expect typed.screen '^1  *12  '
expect view.screen '^Summary '
expect choices.screen '^import  import-items  import-model  items$'
expect choices.screen '^:help i$'
expect option.screen '^:rejects --limit$'
expect search.screen "^(reverse-i-search)\`us': users\$"
expect history.screen '^:users$'
expect back.screen '^ ?:help  ::command  '
expect param.screen '^:train als factors=$'
expect modelopt.screen '^:recommend 1 --model fused *$'
assert_screen search.screen console-search-80x24-utf8.screen

hist="$tmp/home/.recfuse_history"
if [ ! -f "$hist" ]; then
	echo "$test_name: no history file"
	failed=1
else
	mode=$(stat -c %a "$hist" 2>/dev/null || stat -f %Lp "$hist")
	[ "$mode" = 600 ] || { echo "$test_name: history mode $mode"; failed=1; }
	printf 'users\nview data\n' | cmp -s - "$hist" ||
	    { echo "$test_name: history:"; cat "$hist"; failed=1; }
fi
finish
