# tmux.sh: what the benches in a real terminal share (sourced with
# bench=NAME set): skip without tmux, the UTF-8 locale ($utf8), a private
# folder ($tmp, with a HOME) and tmux server (tm), cleaned up at exit, and
# wait_for REGEX SECONDS (the pane in $tmp/pane).
if ! command -v tmux >/dev/null 2>&1; then
	echo "$bench: no tmux; skipped"
	exit 0
fi
utf8=
for l in C.UTF-8 C.utf8 en_US.UTF-8; do
	if [ "$(LANG=$l LC_ALL= locale charmap 2>/dev/null)" = UTF-8 ]; then
		utf8=$l
		break
	fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recfuse-$bench.XXXXXX") || exit 1
sock="$tmp/tmux.sock"
tm()
{
	tmux -S "$sock" -f /dev/null "$@"
}
trap 'tm kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT
mkdir "$tmp/home"

wait_for()
{
	i=0
	while [ $i -lt $(($2 * 20)) ]; do
		tm capture-pane -p -t rf > "$tmp/pane" 2>/dev/null &&
		    grep -q -E -- "$1" "$tmp/pane" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "$bench: '$1' never showed"
	cat "$tmp/pane"
	return 1
}
