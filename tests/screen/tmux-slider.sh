#!/bin/sh
# The slider always moves (issue 10), in a real terminal: at 80x24 and
# 120x40, with colour and with -C -U, under TERM=xterm-256color and
# vt100.  Three models trained in batch mode on a generated log, fused;
# on the Fusion screen the pop slider goes 20 fine steps up (L) and 20
# down (H): every step shows the new weight, 0.01 further, and the
# preview's title tells what the step did to the list, which must be so:
# "same order" when the list did not change, "N places changed" when N
# places did.  Then a share typed (=) puts the slider there, `?` shows
# each screen's own keys and the explanation in full scrolls to its last
# line.  After `quit` the stored weights give, in batch mode, the fused
# top 10 the screen showed last.  Each step waits for its weight on
# the screen, never for a time.
. "$(dirname "$0")/lib.sh"

tmux_init
generated_log
batch -e 'import g.csv; import-items g-items.tsv;
    split temporal 0.2 --valid 0.1; train pop --seed 1;
    train itemknn --seed 1; train ease --seed 1; fuse weighted;
    weights pop=0.2 itemknn=0.4 ease=0.4' >/dev/null
cp "$tmp/screen.db" "$tmp/fused.db"

# The preview as the pane shows it: "N<TAB>note" on the first line (N the
# list's length), then the titles in order.  A row is found by its end:
# rank, a move mark, the mark of a held-out item, the title, the score
# and the bar (on a wide screen the sliders' side comes first).
up=$(printf '\342\226\262') down=$(printf '\342\226\274')
preview()
{
	head=$(grep -n -o 'Top [0-9]* for user .*' "$tmp/pane" | head -1)
	n=$(echo "$head" | sed -E 's/^[0-9]+:Top ([0-9]+) .*/\1/')
	at=$(echo "$head" | cut -d : -f 1)
	note=$(echo "$head" | sed -E 's/.* - (pop [^ ]+: [^-]*[a-z]).*/\1/;
	    t; s/.*//')
	printf '%s\t%s\n' "$n" "$note"
	tail -n +$((at + 1)) "$tmp/pane" | head -n "$n" | LC_ALL=C sed -E \
	    "s/^(.* |)[0-9]+ +((new|[+-][0-9]+|$up[0-9]+|$down[0-9]+) *)?(\\* +)?(.*[^ ]) +-?[0-9.]+( [^ ]*)?$/\5/"
}

# step KEY WEIGHT: press KEY, wait for the pop slider at WEIGHT, check
# the preview's title against the change of the list.
step()
{
	tm send-keys -t rf "$1"
	wait_for "^> pop .*[^0-9]$2 " || return 1
	# The title follows the same frame as the weight; until the list is
	# drawn for it, its note still names the last weight.
	wait_for " - pop $(echo "$2" | sed 's/0*$//; s/\.$//'):" || return 1
	preview > "$tmp/now"
	note=$(head -1 "$tmp/now" | cut -f 2)
	tail -n +2 "$tmp/before" > "$tmp/b"
	tail -n +2 "$tmp/now" > "$tmp/n"
	changed=$(paste "$tmp/b" "$tmp/n" |
	    awk -F '\t' '$1 != $2 { c++ } END { print c + 0 }')
	case "$note" in
	*"same order")
		[ "$changed" -eq 0 ] || {
			echo "$test_name: $variant: pop $2 says same order, $changed places changed"
			failed=1
		} ;;
	*" place changed"|*" places changed")
		said=$(echo "$note" | sed -E 's/.*: ([0-9]+) places? changed/\1/')
		[ "$said" -eq "$changed" ] || {
			echo "$test_name: $variant: pop $2 says $said changed, $changed did"
			failed=1
		} ;;
	*)
		echo "$test_name: $variant: pop $2: no note on the preview ('$note')"
		failed=1 ;;
	esac
	mv "$tmp/now" "$tmp/before"
}

for variant in "80x24 xterm-256color" "80x24 xterm-256color -C -U" \
    "120x40 xterm-256color" "120x40 xterm-256color -C -U" \
    "80x24 vt100" "80x24 vt100 -C -U" "120x40 vt100" "120x40 vt100 -C -U"; do
	set -- $variant
	size=$1 term=$2
	shift 2
	cp "$tmp/fused.db" "$tmp/screen.db"
	TMUX_SIZE=$size TMUX_TERM=$term tmux_start "$@"
	wait_for 'Behaviour funnel' || finish
	tm send-keys -t rf 3
	wait_for '^  fused .* 0\.[0-9]{4} ' || finish
	wait_for '^> pop .* 0\.20 ' || finish
	preview > "$tmp/before"
	w=20
	while [ $w -lt 40 ]; do
		w=$((w + 1))
		step L "0.$w" || { echo "$test_name: $variant: up to 0.$w"; finish; }
	done
	while [ $w -gt 20 ]; do
		w=$((w - 1))
		step H "0.$w" || { echo "$test_name: $variant: down to 0.$w"; finish; }
	done
	# A typed share: the slider lands on it.
	tm send-keys -t rf '='
	wait_for '^:weights --share pop=' || finish
	tm send-keys -t rf '0.3' Enter
	wait_for '^> pop .* 0\.30 ' || finish
	wait_for '^  fused .* 0\.[0-9]{4} ' || finish
	preview > "$tmp/before"
	# Braille only where the terminal draws it.
	if [ "$term" = vt100 ] && grep -q "$(printf '\342\240')" "$tmp/pane"; then
		echo "$test_name: $variant: braille on a vt100"
		failed=1
	fi
	tail -n +2 "$tmp/before" > "$tmp/shown"
	user=$(grep -o 'Top [0-9]* for user [^ ]*' "$tmp/pane" | head -1 |
	    awk '{ print $5 }')
	# `?` shows the screen's own keys first.
	tm send-keys -t rf '?'
	wait_for 'Keys on Fusion \(3\)' || finish
	tm send-keys -t rf Escape 1 '?'
	wait_for 'Keys on Data \(1\)' || finish
	grep -q 'fine steps of 0\.01' "$tmp/pane" &&
	    { echo "$test_name: $variant: the Fusion keys on Data's help"; failed=1; }
	# The explanation in full scrolls to its last line (the last
	# model's block, and no "more lines" below).
	tm send-keys -t rf Escape ':' "user $user" Enter
	wait_for "^user $user: " || finish
	tm send-keys -t rf 4
	wait_for 'Why #1 ' || finish
	grep -q 'Enter or e: the explanation in full' "$tmp/pane" &&
	    tm send-keys -t rf e
	wait_for '^(pop|.*  pop) +[0-9.]+%' || finish
	scroll_to_end
	wait_for '(^|  )ease +[0-9.]+%' ||
	    { echo "$test_name: $variant: the explanation's end never showed"; }
	grep -q 'more lines\{0,1\}: Space/b' "$tmp/pane" &&
	    { echo "$test_name: $variant: the explanation did not reach its end"; failed=1; }
	tm send-keys -t rf q
	tmux_stopped
	# The screen's last list is the fusion's, as batch mode ranks it
	# with the weights stored at quit (titles; the first 10).
	batch -o tsv -e "recommend $user --k 10" | awk -F '\t' 'NR > 1 &&
	    $1 ~ /^[0-9]+$/ { print $3 }' > "$tmp/batch"
	head -10 "$tmp/shown" | LC_ALL=C awk '{ sub(/~$/, "")
	    sub(/\342\200\246$/, ""); print }' > "$tmp/shown10"
	paste "$tmp/shown10" "$tmp/batch" | awk -F '\t' -v v="$variant" \
	    -v t="$test_name" 'index($2, $1) != 1 { printf "%s: %s: shown " \
	    "\"%s\", batch \"%s\"\n", t, v, $1, $2; bad = 1 }
	    END { exit bad }' || failed=1
	[ $failed -eq 0 ] || finish
done
finish
