#!/bin/sh
# Runaway work and killed processes (issue 11, findings 6 and 7): `sql`
# has a time budget (5 s in batch mode unless --timeout says otherwise,
# --timeout 0 for none) and stays interruptible; a run whose process was
# killed with kill -9 is marked killed when the store is next opened for
# writing, while a run whose process lives is left alone.  Waits are for
# conditions (a deadline on each), never a fixed sleep.
set -u
. "${top_srcdir:-.}/tests/lib/lib.sh"

db="$tmp/l.db"
tiny="$top_srcdir/samples/tiny.csv"
forever='with recursive c(x) as (select 1 union all select x + 1 from c)
    select count(*) from c'

# elapsed CMD...: run it (output in $tmp/out, err), seconds in $secs.
elapsed() {
	t0=$(date +%s.%N)
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
}

less_than() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

run_ok "a store" "$RECFUSE" "$db" -e "import $tiny"

# The runaway query of the issue: stopped by the default budget.
elapsed timeout 30 "$RECFUSE" "$db" -e "sql $forever"
check "runaway query: an error, not the watchdog ($st)" [ "$st" -eq 1 ]
check "stopped after about 5 s ($secs s)" less_than "$secs" 15
expect_err "the limit named" "sql: stopped after 5 s (the time limit)"
expect_err "how to raise it" "sql --timeout S QUERY. gives it S seconds"

elapsed timeout 30 "$RECFUSE" "$db" -e "sql --timeout 0.5 $forever"
check "--timeout 0.5: an error ($st)" [ "$st" -eq 1 ]
check "stopped well before 5 s ($secs s)" less_than "$secs" 4
expect_err "its limit named" "stopped after 0.5 s"

run_err_usage() {
	run_fail "$@"
	check "$1: exit 1 ($st)" [ "$st" -eq 1 ]
}
run_err_usage "--timeout x" "$RECFUSE" "$db" -e "sql --timeout x select 1"
expect_err "bad --timeout said" "--timeout wants seconds"
run_ok "--timeout=2 and a query" "$RECFUSE" "$db" -e \
    "sql --timeout=2 select 41 + 1 AS answer"
expect_out "the query ran" "42"
run_ok "a query that starts with a comment" "$RECFUSE" "$db" -e \
    "sql -- comment
select 7 AS seven"
expect_out "comment kept as SQL" "7"

# --timeout 0: no limit, and Ctrl-C still stops it.
"$RECFUSE" "$db" -e "sql --timeout 0 $forever" >"$tmp/out" 2>"$tmp/err" \
    </dev/null &
pid=$!
# Wait (up to 10 s) until it has used a second of CPU: it is querying.
ticks=$(getconf CLK_TCK)
cpu_second() {
	cpu=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
	[ "${cpu:-0}" -ge "$ticks" ]
}
POLL_PID=$pid poll_until 10 cpu_second
check "--timeout 0: still running after a second of CPU" kill -0 "$pid"
kill -INT "$pid"
wait "$pid"
st=$?
check "Ctrl-C stops it with an error ($st)" [ "$st" -eq 1 ]
expect_err "Ctrl-C named" "sql: stopped (Ctrl-C)"

# A run whose process is killed: "running" while it lives (also when the
# store is opened for writing meanwhile), "killed" after.
need_data
run_ok "ml-100k" "$RECFUSE" "$tmp/k.db" -e \
    "import $RECFUSE_DATA/ml-100k/u.data; split temporal 0.2"
status() {
	"$RECFUSE" --read-only -o tsv "$tmp/k.db" -e \
	    "sql SELECT status FROM runs ORDER BY id DESC LIMIT 1" 2>/dev/null |
	    tail -n 1
}
"$RECFUSE" "$tmp/k.db" -e "train neural --epochs 1000" >/dev/null 2>&1 &
pid=$!
running() {
	[ "$(status)" = running ]
}
POLL_PID=$pid poll_until 20 running
check "the run is recorded as running" [ "$(status)" = running ]
run_ok "the store opened for writing meanwhile" "$RECFUSE" "$tmp/k.db" \
    -e "stats"
check "a live run is left running" [ "$(status)" = running ]
kill -9 "$pid"
wait "$pid" 2>/dev/null
check "read-only opening marks nothing" [ "$(status)" = running ]
run_ok "the store opened for writing after kill -9" "$RECFUSE" "$tmp/k.db" \
    -e "stats"
check "the killed run is marked killed" [ "$(status)" = killed ]
run_ok "the history lists it" "$RECFUSE" -o tsv "$tmp/k.db" -e \
    "sql SELECT model, status FROM runs WHERE status = 'killed'"
expect_out "neural killed" "^neural	killed$"

finish
