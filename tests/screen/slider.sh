#!/bin/sh
# The slider path stores the weights when the slider stops or at quit,
# never on every key: in the TUI the pop slider moves down two steps, the
# store still holds the weights from before (a `sql` in the same session,
# and the Fusion screen measures the new ones meanwhile); after `quit` it
# holds the new ones, which a `weights` in batch mode shows.  (tmux-fusion
# checks the store follows when a slider rests in a real terminal.)
. "$(dirname "$0")/lib.sh"

make_store
train_fusion

query="sql select substr(value, instr(value, ' w=') + 1) from settings where key = 'fusion'"
stored_weights()
{
	batch --read-only -o tsv -e "$query" | tail -n 1
}
before=$(stored_weights)
case "$before" in
w=pop:0.2*) ;;
*) echo "$test_name: stored before: '$before'"; exit 99 ;;
esac

run_screen 80x24 ascii <<-SCRIPT
:eval
3
h
h
<Esc>
:save-display moved.screen
:$query
5
:save-display log.screen
SCRIPT
grep -q '^> pop .* 0\.10 ' "$tmp/moved.screen" ||
    { echo "$test_name: the slider did not move:"; cat "$tmp/moved.screen"; failed=1; }
if ! grep -q -x -F "$before" "$tmp/log.screen"; then
	echo "$test_name: the weights were stored while the slider moved:"
	cat "$tmp/log.screen"
	failed=1
fi
batch --read-only -o tsv -e weights | cut -f 1,2 > "$tmp/weights"
printf 'model\tweight\npop\t0.100\nitemknn\t0.450\nease\t0.450\nfused\t\n' |
    diff -u - "$tmp/weights" ||
    { echo "$test_name: not the weights the slider set, after quit"; failed=1; }
finish
