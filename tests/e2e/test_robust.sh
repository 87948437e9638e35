#!/bin/sh
# Robustness: bad input from the command line, files, SQL and the TUI gets a
# clear error (exit 1, never a signal), and the program keeps working.  Each
# check is a regression test for a crash, a hang or an unclear message.
set -u
. "${top_srcdir:-.}/tests/lib/lib.sh"

db="$tmp/r.db"
tiny="$top_srcdir/samples/tiny.csv"
export OPENBLAS_NUM_THREADS=1

# run_err DESC CMD...: fails with status 1 (an error, not a crash).
run_err() {
	desc=$1
	run_fail "$@"
	check "$desc: exit 1, not a signal ($st)" [ "$st" -eq 1 ]
}

# Commands before any data: an error that says what to do first.
for c in "eval" "recommend 1" "explain 1" "fuse weighted" "tune" "refit" \
    "weights x=-1" "export recs $tmp/nodir/x" "train als" "split temporal"; do
	run_err "$c on an empty store" "$RECFUSE" "$db" -e "$c"
	expect_err "$c: says to import first" "import a log first"
done

# An empty file: said so, not "cannot tell the delimiter".
: > "$tmp/empty.csv"
run_err "empty file" "$RECFUSE" "$db" -e "import $tmp/empty.csv"
expect_err "empty file named" "empty.csv: the file is empty"
run_err "a directory" "$RECFUSE" "$db" -e "import $tmp"
expect_err "directory refused" "not a regular file"

# Rows with bad bytes are rejected and recorded with their line.
printf '1,caf\351,1,pv,1511611200\n2,2,1,pv,1511611300\n' > "$tmp/latin.csv"
run_ok "latin-1 rows rejected, the rest kept" "$RECFUSE" "$db" \
    -e "import --format taobao $tmp/latin.csv; rejects"
expect_out "reject names line and reason" "latin.csv  *1  invalid UTF-8"

# Control characters never reach the terminal from a table cell or an
# error message.
run_ok "control characters in a cell" "$RECFUSE" "$db" \
    -e "sql SELECT char(27) || '[31m' AS a"
check "ESC shown as ?" grep -q '^?\[31m' "$tmp/out"
check "no ESC in the table" sh -c "! grep -q \"$(printf '\033')\" '$tmp/out'"

run_ok "import + split" "$RECFUSE" "$db" \
    -e "import $tiny; split temporal 0.2"

# Negative numbers are bad values with the reason, not unknown options.
run_err "split last -1" "$RECFUSE" "$db" -e "split last -1"
expect_err "count expected" "last N needs a count >= 1, not '-1'"
run_err "split temporal -1" "$RECFUSE" "$db" -e "split temporal -1"
expect_err "fraction expected" "must be a fraction in (0, 1), not '-1'"
run_err "split --seed -1" "$RECFUSE" "$db" -e "split random 0.2 --seed -1"
expect_err "seed must be non-negative" "non-negative integer, not '-1'"
for f in 0 1 1.5 nan inf; do
	run_err "split temporal $f" "$RECFUSE" "$db" -e "split temporal $f"
done

run_ok "train two models" "$RECFUSE" "$db" -e "train pop; train itemknn"
run_err "unknown user" "$RECFUSE" "$db" -e "recommend nosuch"
expect_err "unknown user named once" "^recfuse: recommend: unknown user 'nosuch'"

# Exports never write over the store or their own input.
run_err "export recs onto the store" "$RECFUSE" "$db" -e "export recs $db"
expect_err "store named" "is the store"
run_ok "the store survives" "$RECFUSE" "$db" -e "stats"
cp "$tiny" "$tmp/pairs.csv"
run_err "export preds onto its pairs" "$RECFUSE" "$db" \
    -e "export preds $tmp/pairs.csv --pairs $tmp/pairs.csv --model itemknn"
expect_err "pairs file named" "is the pairs file too"
check "the pairs file is kept" cmp -s "$tiny" "$tmp/pairs.csv"

# Weights near DBL_MAX: their sum overflows, the shares must not.
run_ok "huge weights" "$RECFUSE" "$db" -e "weights pop=1e308 itemknn=1e308"
expect_out "huge weights split evenly" "^pop  *0\.500"
for w in -1 nan inf ""; do
	run_err "weights pop=$w" "$RECFUSE" "$db" -e "weights pop=$w"
	expect_err "weights pop=$w explained" "non-negative numbers"
done

# SQL: a runaway query is capped (rows) or stopped by Ctrl-C.
run_ok "unbounded recursive CTE is capped" "$RECFUSE" "$db" -e \
    "sql WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c"
expect_err "cap explained" "only the first 1000000 rows"
if command -v timeout >/dev/null 2>&1; then
	# timeout says 124 when its SIGINT ended the program, 137 when it
	# had to kill it; the query never ends by itself.
	timeout -k 10 -s INT 1 "$RECFUSE" "$db" -e "sql WITH RECURSIVE c(x) AS
	    (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c" \
	    >"$tmp/out" 2>"$tmp/err"
	st=$?
	check "Ctrl-C stops a query that returns no rows (exit $st)" \
	    [ "$st" -eq 124 ]
	expect_err "stop explained" "sql: stopped (Ctrl-C)"
fi
run_err "sql error named once" "$RECFUSE" "$db" -e "sql SELECT * FROM nosuch"
expect_err "no doubled prefix" "^recfuse: sql: no such table: nosuch"

# Scripts that are not text: a read error or a NUL is an error, not a
# silent success or a line cut short.
run_err "-f a directory" "$RECFUSE" "$db" -f "$tmp"
expect_err "read error named" "read error"
printf 'stats\0 nosuch\n' > "$tmp/nul.rf"
run_err "-f with a NUL byte" "$RECFUSE" "$db" -f "$tmp/nul.rf"
expect_err "NUL named with file and line" "nul.rf:1: NUL byte"

# Stores that are not recfuse stores.
run_fail "store path empty" "$RECFUSE" "" -e "stats"
check "store path empty: usage error ($st)" [ "$st" -eq 2 ]
expect_err "empty path explained" "store path is empty"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);
c.execute("CREATE TABLE events(x)"); c.commit()' "$tmp/other.db"
	run_err "another SQLite database" "$RECFUSE" "$tmp/other.db" -e "stats"
	expect_err "not a recfuse store" "not a recfuse store"
else
	echo "skip - another SQLite database (no python3 to make one)"
fi

# --read-only writes nothing: not the store, not a journal beside it,
# whatever runs.  Commands that would write the store say so: import is
# refused, train and split run in memory and say they were not stored.
files_state() {
	for f in "$@"; do
		if [ -e "$f" ]; then
			echo "$f $(stat -c '%s %.9Y' "$f") $(cksum < "$f")"
		else
			echo "$f missing"
		fi
	done
}
ro="$tmp/ro"
mkdir "$ro"
cp "$db" "$ro/s.db"
# An mtime long past, which any write would change, even at 1 s
# resolution (rather than waiting for the clock to move on).
touch -d @1000000000 "$ro/s.db"
files_state "$ro/s.db" "$ro/s.db-journal" "$ro/s.db-wal" > "$tmp/before"
ls -a "$ro" > "$tmp/ls-before"
run_err "--read-only refuses import" "$RECFUSE" --read-only "$ro/s.db" \
    -e "import --force $tiny"
expect_err "import refusal explained" \
    "s.db: store is open read-only; cannot import (open it without --read-only"
run_err "--read-only refuses import-items" "$RECFUSE" --read-only \
    "$ro/s.db" -e "import-items $top_srcdir/samples/tiny-items.tsv"
expect_err "import-items refusal explained" \
    "store is open read-only; cannot import-items"
run_err "--read-only refuses SQL writes" "$RECFUSE" --read-only "$ro/s.db" \
    -e "sql DELETE FROM events"
expect_err "SQL refusal explained" "writes are not allowed"
run_ok "--read-only trains in memory" "$RECFUSE" --read-only "$ro/s.db" \
    -e "train pop"
expect_out "training not saved" "(not saved: read-only store)"
run_ok "--read-only splits, trains, fuses, tunes and refits in memory" \
    "$RECFUSE" --read-only "$ro/s.db" -e "split temporal 0.2 --valid 0.2;
    train ease; train pop; weights ease=3 pop=1; fuse rrf; tune; refit; eval"
expect_out "split not stored" "\\[not stored: read-only\\]"
expect_out "refit ran" "^refit ease on train + valid"
expect_out "eval ran" "^ease (refit) "
files_state "$ro/s.db" "$ro/s.db-journal" "$ro/s.db-wal" > "$tmp/after"
ls -a "$ro" > "$tmp/ls-after"
check "--read-only left the store's bytes and mtime as they were" \
    cmp -s "$tmp/before" "$tmp/after"
check "--read-only made no file beside the store" \
    cmp -s "$tmp/ls-before" "$tmp/ls-after"

# A store file without write permission opens read-only too (root ignores
# the permission, so this part runs as another user only; the --read-only
# checks above run for everyone).
if [ "$(id -u)" != 0 ]; then
	cp "$db" "$tmp/ro.db"
	chmod 444 "$tmp/ro.db"
	run_err "unwritable store refuses import" "$RECFUSE" "$tmp/ro.db" \
	    -e "import --force $tiny"
	expect_err "read-only explained" "read-only"
	run_ok "unwritable store trains in memory" "$RECFUSE" "$tmp/ro.db" \
	    -e "train pop"
	expect_out "not saved" "not saved: read-only"
fi

# Degenerate data: one user, one item, one event each.
T=1500000000
{ echo user,item,rating,timestamp; i=1; while [ $i -le 12 ]; do
	echo "1,$i,4,$((T + i))"; i=$((i + 1)); done; } > "$tmp/oneuser.csv"
{ echo user,item,rating,timestamp; i=1; while [ $i -le 12 ]; do
	echo "$i,1,4,$((T + i))"; i=$((i + 1)); done; } > "$tmp/oneitem.csv"
# Every model trains on them, except BPR on one item: it needs a second
# item to rank below the first, and says so.  One user holds test items,
# so its runs are evaluated; no figure may be NaN.
for f in oneuser oneitem; do
	d="$tmp/$f.db"
	run_ok "$f: import and split" "$RECFUSE" "$d" \
	    -e "import $tmp/$f.csv; split random 0.3"
	for m in pop itemknn ease baseline mf als bpr; do
		if [ "$f.$m" = oneitem.bpr ]; then
			run_err "$f: train $m refused" "$RECFUSE" "$d" \
			    -e "train $m --epochs 2"
			expect_err "$f: train $m says why" \
			    "^recfuse: train: bpr: needs users and at least two items$"
			continue
		fi
		run_ok "$f: train $m" "$RECFUSE" "$d" -e "train $m --epochs 2"
		expect_out "$f: $m trained 2 epochs" "^trained $m: 2 epochs in "
		[ "$f" = oneuser ] &&
		    expect_out "$f: $m evaluated on the test part" \
		    "^trained $m: .*; test ndcg@10=[0-9.]* "
		check "$f: $m printed no NaN" sh -c "! grep -qi nan '$tmp/out'"
	done
done

# The TUI on an empty store: every screen, every key, resized to 1x1.
if command -v timeout >/dev/null 2>&1; then
	keys='abcdefghijklmnoprstuvwxyz0!@#$%^&*()-_=+[]{}\|;",./?`~'
	for v in 1 2 3 4 5; do
		echo "$v"
		echo "<Up><Down><Left><Right><PgUp><PgDown><Home><End>"
		echo "<Enter><Tab><Space><Del><BS>$keys<Esc><Esc>"
		echo "<Resize:1x1>"
		echo "$v<Down><Enter><Tab><Esc>"
		echo "<Resize:80x24>"
	done > "$tmp/keys"
	printf '<Colon><C-d>\n<Colon><Tab><Tab><Esc>\n:quit\n' >> "$tmp/keys"
	(cd "$tmp" && env -i HOME="$tmp" PATH="$PATH" TERM=xterm-256color \
	    LANG=C LINES=24 COLUMNS=80 OPENBLAS_NUM_THREADS=1 \
	    timeout -k 5 60 "$RECFUSE" --script keys empty-tui.db \
	    >"$tmp/out" 2>"$tmp/err")
	st=$?
	check "TUI keys on an empty store (exit $st)" [ "$st" -eq 0 ]
	[ "$st" -eq 0 ] || sed 's/^/  | /' "$tmp/err" | head -n 20
fi

finish
