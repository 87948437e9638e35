# lib.sh: helpers for the shell tests (sourced).  Each check prints ok/FAIL;
# finish exits 1 when any failed.
tests_failed=0
tests_run=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recfuse-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
RECFUSE=${RECFUSE:-${top_builddir:-.}/recfuse}
top_srcdir=${top_srcdir:-.}
. "$top_srcdir/tests/lib/poll.sh"
export LC_ALL=C.UTF-8 TZ=UTC

check() {
	desc=$1
	shift
	tests_run=$((tests_run + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok - $desc"
	else
		echo "FAIL - $desc"
		tests_failed=$((tests_failed + 1))
	fi
}

# run_ok / run_fail DESC CMD...: run with stdout/stderr kept in $tmp/out, err
run_ok() {
	desc=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	tests_run=$((tests_run + 1))
	if [ $st -eq 0 ]; then
		echo "ok - $desc"
	else
		echo "FAIL - $desc (exit $st)"
		sed 's/^/  | /' "$tmp/err" | head -n 20
		tests_failed=$((tests_failed + 1))
	fi
}

# run_fail: an error is an exit status from 1 to 125; above that the
# program was killed by a signal (128 + N) or did not run at all, which no
# test expects.
run_fail() {
	desc=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	tests_run=$((tests_run + 1))
	if [ $st -ge 1 ] && [ $st -le 125 ]; then
		echo "ok - $desc"
	elif [ $st -eq 0 ]; then
		echo "FAIL - $desc (exit 0, expected failure)"
		tests_failed=$((tests_failed + 1))
	else
		echo "FAIL - $desc (exit $st: a crash, not an error)"
		sed 's/^/  | /' "$tmp/err" | head -n 20
		tests_failed=$((tests_failed + 1))
	fi
}

expect_out() {
	tests_run=$((tests_run + 1))
	if grep -q -e "$2" "$tmp/out"; then
		echo "ok - $1"
	else
		echo "FAIL - $1: stdout lacks /$2/"
		sed 's/^/  | /' "$tmp/out" | head -n 20
		tests_failed=$((tests_failed + 1))
	fi
}

expect_err() {
	tests_run=$((tests_run + 1))
	if grep -q -e "$2" "$tmp/err"; then
		echo "ok - $1"
	else
		echo "FAIL - $1: stderr lacks /$2/"
		sed 's/^/  | /' "$tmp/err" | head -n 20
		tests_failed=$((tests_failed + 1))
	fi
}

# json_ok DESC FILE [EXPR]: FILE is recfuse's -o json output, one
# document a line, each parsed strictly (tests/lib/jsonlines.py); EXPR, a
# Python expression over `docs`, must hold.  Every -o json output of the
# suite goes through here.
json_ok() {
	desc=$1
	shift
	tests_run=$((tests_run + 1))
	if ! command -v python3 >/dev/null 2>&1; then
		echo "ok - $desc # SKIP no python3"
		return
	fi
	if python3 "$top_srcdir/tests/lib/jsonlines.py" "$@" >"$tmp/json.err" \
	    2>&1; then
		echo "ok - $desc"
	else
		echo "FAIL - $desc"
		sed 's/^/  | /' "$tmp/json.err" | head -n 20
		tests_failed=$((tests_failed + 1))
	fi
}

# Data folder: skip (77) when absent, fail under CI.
need_data() {
	RECFUSE_DATA=${RECFUSE_DATA:-$top_srcdir/../shared/data}
	if [ ! -d "$RECFUSE_DATA" ]; then
		if [ "${CI:-}" = true ]; then
			echo "FAIL - data folder $RECFUSE_DATA missing under CI"
			exit 1
		fi
		echo "SKIP - data folder $RECFUSE_DATA missing"
		exit 77
	fi
}

# finish: 0 when every check passed; 1 on a failure or when no check ran.
finish() {
	echo "$((tests_run - tests_failed)) of $tests_run checks passed"
	[ $tests_failed -eq 0 ] && [ $tests_run -gt 0 ] || exit 1
	exit 0
}
