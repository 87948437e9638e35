# lib.sh: the screen-test harness, after tig's test/tools/libtest.sh.
#
# Each test is one executable shell file that sources this.  recfuse runs
# in a sealed environment (HOME, LANG, TZ, TERM, LINES, COLUMNS fixed) and
# reads its keys from a script file itself (--script): ":cmd" lines run a
# command, other lines are keys, and the next line is read only when the
# program is idle, so there are no sleeps.  Curses draws to /dev/null; the
# virtual screen is saved with `:save-display FILE` and compared with the
# expected screen under tests/screen/expected/ by diff.  A watchdog stops a
# hung run.  UPDATE_GOLDEN=1 rewrites the expected screens that differ,
# shows what changed, and fails the test so that the change is looked at
# (run again without it to pass); under CI (CI=true) it is refused.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RECFUSE:=$top_builddir/recfuse}"

test_name=$(basename "$0" .sh)
. "$top_srcdir/tests/lib/poll.sh"
expected_dir="$top_srcdir/tests/screen/expected"
samples_dir="$top_srcdir/samples"
screen_watchdog=${SCREEN_WATCHDOG:-120}
failed=0

update_golden=0
case "${UPDATE_GOLDEN:-}" in
''|0) ;;
*)
	if [ "${CI:-}" = true ]; then
		echo "$test_name: UPDATE_GOLDEN is set under CI: the expected" \
		    "screens are never rewritten there"
		exit 1
	fi
	update_golden=1
	;;
esac

if [ ! -x "$RECFUSE" ]; then
	echo "$test_name: no recfuse at $RECFUSE"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/recfuse-screen.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/home"

# The UTF-8 locale the tests use, if the system has one.
utf8_locale=
for l in C.UTF-8 C.utf8 en_US.UTF-8; do
	if [ "$(LANG=$l LC_ALL= locale charmap 2>/dev/null)" = UTF-8 ]; then
		utf8_locale=$l
		break
	fi
done

# batch [OPTIONS] COMMANDS: recfuse in batch mode on $tmp/screen.db in the
# sealed environment, its output on stdout (errors: the test stops, 99).
batch()
{
	(cd "$tmp" && env -i HOME="$tmp/home" PATH="$PATH" TZ=UTC \
	    OPENBLAS_NUM_THREADS=1 "$RECFUSE" "$@" screen.db \
	    2>"$tmp/batch.err") || { cat "$tmp/batch.err"; exit 99; }
}

# make_store: a store made in batch mode (so no timings reach the
# screens): the tiny sample with its item titles, and a file with
# rejected rows.
make_store()
{
	cp "$samples_dir/tiny.csv" "$samples_dir/tiny-items.tsv" \
	    "$top_srcdir/tests/screen/rejects.csv" "$tmp/" || exit 99
	batch -e 'import tiny.csv; import-items tiny-items.tsv;
	    import rejects.csv' >/dev/null
}

# train_fusion [WEIGHTS]: on the store, three models with fixed seeds
# (pop, itemknn, ease) on a split with a validation part, fused with the
# weights given (pop=0.2 itemknn=0.4 ease=0.4 by default).
train_fusion()
{
	batch -e "split temporal 0.2 --valid 0.2; train pop --seed 1;
	    train itemknn --seed 1; train ease --seed 1; fuse weighted;
	    weights ${1:-pop=0.2 itemknn=0.4 ease=0.4}" >/dev/null
}

# generated_log: $tmp/g.csv and g-items.tsv, a generated Taobao-style log
# (seeded) where models differ: 20000 rows, 300 users, 800 items.
generated_log()
{
	gen="$top_builddir/samples/gen-taobao"
	[ -x "$gen" ] || { echo "$test_name: no $gen"; exit 99; }
	"$gen" --seed 3 --rows 20000 --users 300 --items 800 -o "$tmp/g.csv" \
	    -i "$tmp/g-items.tsv" || exit 99
}

# run_screen COLSxLINES utf8|ascii [recfuse options]: the script on stdin.
run_screen()
{
	size=$1 charset=$2
	shift 2
	cols=${size%x*} lines=${size#*x}
	lang=C
	if [ "$charset" = utf8 ]; then
		lang=$utf8_locale
	fi
	cat > "$tmp/script"
	watchdog=
	if command -v timeout >/dev/null 2>&1; then
		watchdog="timeout -k 5 $screen_watchdog"
	fi
	(cd "$tmp" && env -i HOME="$tmp/home" PATH="$PATH" TZ=UTC \
	    LANG="$lang" TERM="${SCREEN_TERM:-xterm-256color}" \
	    LINES="$lines" COLUMNS="$cols" OPENBLAS_NUM_THREADS=1 \
	    $watchdog "$RECFUSE" --script script "$@" screen.db \
	    >"$tmp/stdout" 2>"$tmp/stderr")
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "$test_name: recfuse exited with $rc ($size $charset)"
		[ $rc -eq 124 ] && echo "$test_name: the watchdog stopped it"
		cat "$tmp/stderr"
		failed=1
	fi
}

# assert_screen FILE NAME: compare $tmp/FILE with expected/NAME.  Under
# UPDATE_GOLDEN=1 a screen that differs is written over expected/NAME,
# its diff shown, and the test fails at finish (a file in $tmp counts the
# rewrites, since tests call this from subshells too).
assert_screen()
{
	got="$tmp/$1" want="$expected_dir/$2"
	if [ ! -f "$got" ]; then
		echo "$test_name: no screen saved as $1"
		failed=1
		return
	fi
	if [ -f "$want" ] && cmp -s "$want" "$got"; then
		return
	fi
	if [ $update_golden = 1 ]; then
		if [ -f "$want" ]; then
			diff -u "$want" "$got"
			echo "$test_name: rewrote $2 (above: - before, + now)"
		else
			cat "$got"
			echo "$test_name: wrote the new $2 (above)"
		fi
		cp "$got" "$want" || failed=1
		echo "$2" >> "$tmp/rewritten"
		return
	fi
	if [ ! -f "$want" ]; then
		echo "$test_name: no expected screen $2 (UPDATE_GOLDEN=1 makes it)"
		failed=1
		return
	fi
	diff -u "$want" "$got"
	echo "$test_name: screen $2 differs (above: - expected, + got)"
	failed=1
}

# The sizes and character sets every screen is checked at.
screen_variants()
{
	for size in 80x24 120x40; do
		echo "$size utf8"
		echo "$size ascii"
	done
}

finish()
{
	if [ -s "$tmp/rewritten" ]; then
		echo "$test_name: UPDATE_GOLDEN rewrote $(wc -l < "$tmp/rewritten")" \
		    "expected screen(s): look at each (git diff), then run" \
		    "again without UPDATE_GOLDEN"
		failed=1
	fi
	if [ $failed -ne 0 ]; then
		echo "$test_name: FAIL"
		exit 1
	fi
	echo "$test_name: ok"
	exit 0
}

# --- a real terminal: tmux --------------------------------------------------
# A real terminal is not idle on our schedule: its pane is polled
# (capture-pane) until the expected text shows, with a deadline.

# tmux_init: skip (77) without tmux or a UTF-8 locale; a private server,
# killed at exit.
tmux_init()
{
	command -v tmux >/dev/null 2>&1 || { echo "$test_name: no tmux"; exit 77; }
	[ -n "$utf8_locale" ] || { echo "$test_name: no UTF-8 locale"; exit 77; }
	sock="$tmp/tmux.sock"
	trap 'tm kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT
}

tm()
{
	tmux -S "$sock" -f /dev/null "$@"
}

# pane_events: the pane's output piped to a FIFO held open on fd 7, the
# events poll_until waits on (tests/lib/poll.sh): a wait ends when the
# screen changes, not after a time.
pane_events()
{
	if [ ! -p "$tmp/events" ]; then
		mkfifo "$tmp/events" || return 1
		exec 7<>"$tmp/events"
	fi
	tm pipe-pane -t rf -O "cat >> '$tmp/events'" || return 1
	POLL_EVENTS=1
}

# tmux_new COLS LINES COMMAND: a new session "rf" running COMMAND.  A new
# tmux server now and then exits at birth ("server exited unexpectedly"):
# tried again, at once, before calling the test broken.
tmux_new()
{
	for attempt in 1 2 3; do
		tm new-session -d -s rf -x "$1" -y "$2" "$3" \
		    2>"$tmp/tmux.err" && pane_events && return 0
		tm kill-server >/dev/null 2>&1
	done
	cat "$tmp/tmux.err"
	exit 99
}

# tmux_start [recfuse options]: recfuse on screen.db in a new session
# "rf" of TMUX_SIZE (80x24) with TERM=$TMUX_TERM (tmux-256color) and
# TMUX_ENV (more VAR=value words) in its environment; its exit status
# lands in $tmp/exit.
tmux_start()
{
	size=${TMUX_SIZE:-80x24}
	tm kill-server >/dev/null 2>&1
	rm -f "$tmp/exit"
	tmux_new "${size%x*}" "${size#*x}" "cd '$tmp' && env -i \
	    HOME='$tmp/home' PATH='$PATH' TZ=UTC OPENBLAS_NUM_THREADS=1 \
	    LANG=$utf8_locale TERM=${TMUX_TERM:-tmux-256color} \
	    ${TMUX_ENV:-} '$RECFUSE' $* \
	    screen.db; echo \$? > '$tmp/exit'; read -r rest"
}

# wait_until WHAT CMD...: until CMD succeeds, polled (the one poll of
# the harness: every wait of the tmux tests comes here).  The deadline
# (120 seconds, or TMUX_WAIT, or wait_for's SECONDS) only bounds a failure: on a loaded machine
# the condition comes late, never wrong.  On failure: "WHAT never
# happened", failed=1, status 1.
wait_until()
{
	what=$1
	shift
	poll_until "${deadline:-${TMUX_WAIT:-120}}" "$@" && return 0
	echo "$test_name: $what never happened"
	failed=1
	return 1
}

# pane_has REGEX: the pane now (left in $tmp/pane) has a matching line.
pane_has()
{
	tm capture-pane -p -t rf > "$tmp/pane" 2>/dev/null &&
	    grep -q -E -- "$1" "$tmp/pane"
}

# wait_for REGEX [SECONDS]: until a line of the pane matches the extended
# regular expression.
wait_for()
{
	deadline=${2:-}
	wait_until "'$1' on the pane" pane_has "$1"
	st=$?
	deadline=
	[ $st -eq 0 ] && return 0
	echo "the pane:"
	cat "$tmp/pane"
	return 1
}

# pane_changed: the pane differs from $tmp/pane.before.
pane_changed()
{
	tm capture-pane -p -t rf > "$tmp/pane" 2>/dev/null &&
	    ! cmp -s "$tmp/pane" "$tmp/pane.before"
}

# scroll_to_end: Space while the pane says more lines are below, each
# press waited for (the pane changes), 60 presses at most.
scroll_to_end()
{
	i=0
	while grep -q 'more lines\{0,1\}: Space/b' "$tmp/pane" &&
	    [ $i -lt 60 ]; do
		cp "$tmp/pane" "$tmp/pane.before"
		tm send-keys -t rf Space
		wait_until "a scroll by Space" pane_changed || return 1
		i=$((i + 1))
	done
}

# tmux_stopped: until recfuse has ended; it must exit 0.
tmux_stopped()
{
	wait_until "the end of recfuse" test -s "$tmp/exit"
	if [ "$(cat "$tmp/exit" 2>/dev/null)" != 0 ]; then
		echo "$test_name: recfuse ended with '$(cat "$tmp/exit" \
		    2>/dev/null)' (or hung)"
		tm capture-pane -p -t rf
		failed=1
	fi
}
