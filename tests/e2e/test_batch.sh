#!/bin/sh
# End-to-end tests of batch mode: -e, -f, stdin, output formats, errors with
# file and line, exit status, read-only stores, command lookup.
set -u
. "${top_srcdir:-.}/tests/lib/lib.sh"

db="$tmp/b.db"
tiny="$top_srcdir/samples/tiny.csv"

run_ok "import + stats" "$RECFUSE" "$db" -e "import $tiny; stats"
expect_out "stats counts events" "events"
expect_out "import summary names the file" "tiny.csv: import #1"

run_fail "same content refused" "$RECFUSE" "$db" -e "import $tiny"
expect_err "refusal says why" "already imported"
run_ok "--force imports again" "$RECFUSE" "$db" -e "import --force $tiny"
expect_out "forced import is a second import" "tiny.csv: import #2"

run_ok "unique prefix" "$RECFUSE" "$db" -e "sta"
expect_out "the prefix ran stats" "^events  *108$"
run_fail "ambiguous prefix" "$RECFUSE" "$db" -e "s"
expect_err "ambiguous lists candidates" "ambiguous command: s, could be:"
run_fail "unknown command" "$RECFUSE" "$db" -e "frobnicate"
expect_err "unknown named" "unknown command: frobnicate"
run_fail "usage error" "$RECFUSE" "$db" -e "rejects extra"
expect_err "usage line printed" "usage: rejects \[--limit N\]"
run_fail "bad option value" "$RECFUSE" "$db" -e "users --top x"
expect_err "option named" "--top: expected an integer"
run_fail "unknown option" "$RECFUSE" "$db" -e "users --frob"
expect_err "unknown option named" "unknown option --frob"

printf 'stats\nusers --top 3\nnosuchcmd\nstats\n' > "$tmp/s.rf"
run_fail "script stops at the failing line" "$RECFUSE" "$db" -f "$tmp/s.rf"
expect_err "script error names file and line" "s.rf:3: unknown command: nosuchcmd"

printf 'stats\n# a comment\n\nitems --top 2\n' | "$RECFUSE" "$db" >"$tmp/out" 2>"$tmp/err"
check "stdin commands" [ $? -eq 0 ]
expect_out "stdin ran items" "title"

run_ok "json output" "$RECFUSE" "$db" -o json -e "users --top 2"
json_ok "json: one document, the top users as a list of two objects" \
    "$tmp/out" "len(docs) == 1 and docs[0]['command'] == 'users' and
    len(docs[0]['top_users']) == 2 and docs[0]['top_users'][0]['user'] == '1'"
run_ok "json: a document per command" "$RECFUSE" "$db" -o json \
    -e "sta; users --top 1; sql SELECT 1 AS a, 2 AS A, 'x' AS \"share%\""
json_ok "json: three documents, full names, plain distinct keys" "$tmp/out" \
    "[d['command'] for d in docs] == ['stats', 'users', 'sql'] and
    'imports' in docs[0] and docs[2]['rows'] == [{'a': 1, 'a_2': 2,
    'share_pct': 'x'}]"
run_fail "json: a failed command is a document too" "$RECFUSE" "$db" -o json \
    -e "users --top 1; frobnicate"
json_ok "json: ok false and the error" "$tmp/out" \
    "docs[1] == {'command': 'frobnicate', 'ok': False,
    'error': 'unknown command: frobnicate (try \`help\`)'}"
expect_err "json: the error on stderr too" "unknown command: frobnicate"
printf 'stats\n# a comment\n\nhelp import\n' > "$tmp/j.rf"
run_ok "json from a script" "$RECFUSE" "$db" -o json -f "$tmp/j.rf"
json_ok "json: a document per command line, messages as strings" "$tmp/out" \
    "len(docs) == 2 and docs[1]['messages'][0].startswith('usage: import')"
run_ok "csv output" "$RECFUSE" "$db" -o csv -e "sql SELECT 'a,b' AS x, 1 AS n"
expect_out "csv quoting" '^"a,b",1$'
run_ok "tsv output" "$RECFUSE" "$db" -o tsv -e "sql SELECT 'a;b' AS x"
expect_out "semicolon inside quotes is not a separator" '^a;b$'

run_fail "sql writes denied" "$RECFUSE" "$db" -e "sql DELETE FROM events"
expect_err "denial is explained" "not authorized"
run_fail "sql attach denied" "$RECFUSE" "$db" -e "sql ATTACH DATABASE '$tmp/x.db' AS x"
expect_err "attach denial is explained" "ATTACH/DETACH is not allowed"
check "attach created no file" [ ! -e "$tmp/x.db" ]

run_ok "read-only stats" "$RECFUSE" --read-only "$db" -e "stats"
expect_out "read-only stats counts events" "^events  *108$"
run_fail "read-only refuses import" "$RECFUSE" --read-only "$db" -e "import --force $tiny"
expect_err "read-only named" "read-only"

run_fail "missing file" "$RECFUSE" "$db" -e "import $tmp/nope.csv"
expect_err "missing file named" "nope.csv"

# An import's status line (rows, rate, time left) goes to a terminal only:
# a log or a pipe gets the final line alone.
gen=${top_builddir:-.}/samples/gen-taobao
if [ -x "$gen" ]; then
	"$gen" --seed 3 --rows 150000 --users 1500 --items 20000 \
	    -o "$tmp/gen.csv" -i "$tmp/gen-items.tsv" >/dev/null 2>&1
	run_ok "import a generated log" "$RECFUSE" "$tmp/gen.db" \
	    -e "import $tmp/gen.csv"
	check "no status line on a pipe" sh -c "! grep -q 'rows/s' '$tmp/err'"
	if command -v script >/dev/null 2>&1; then
		rm -f "$tmp/gen2.db"
		script -qfc "'$RECFUSE' '$tmp/gen2.db' -e 'import $tmp/gen.csv'" \
		    /dev/null >"$tmp/tty" 2>&1 </dev/null
		check "a status line on a terminal" grep -q \
		    'M rows/s, [0-9]*% read, .* left' "$tmp/tty"
	fi
fi

# A batch `train` reads no names of users and items (the snapshot stays
# lean: at 10 M events 110 MB of a training); every command after it is
# given them first.  The same line with the data read whole first
# (`stats`) says the same, ids and titles alike.
rm -f "$tmp/lean.db"
run_ok "a store to train on" "$RECFUSE" "$tmp/lean.db" -e "import $tiny; split temporal 0.2"
cp "$tmp/lean.db" "$tmp/whole.db"
lean_line="train pop; recommend 1 --model pop; explain 1 --k 2; user 1; export recs $tmp/recs-%s.csv --model pop"
run_ok "lean: train first" "$RECFUSE" "$tmp/lean.db" \
    -e "$(printf "$lean_line" lean)"
grep -v ' s$\|seconds\|[0-9]\.[0-9]* s[;,) ]' "$tmp/out" |
    sed 's/recs-lean/recs-X/' >"$tmp/lean.txt"
expect_out "lean: the recommendations name their items" "^ *1  [0-9]"
run_ok "whole: stats first" "$RECFUSE" "$tmp/whole.db" \
    -e "stats; $(printf "$lean_line" whole)"
grep -v ' s$\|seconds\|[0-9]\.[0-9]* s[;,) ]' "$tmp/out" |
    sed -n '/^training pop/,$p' | sed 's/recs-whole/recs-X/' >"$tmp/whole.txt"
check "lean then named: the same output as whole" cmp "$tmp/lean.txt" "$tmp/whole.txt"
check "lean then named: the same export" cmp "$tmp/recs-lean.csv" "$tmp/recs-whole.csv"

run_ok "help lists commands" "$RECFUSE" "$db" -e "help"
expect_out "help shows import" "import"
run_ok "help CMD" "$RECFUSE" "$db" -e "help import"
expect_out "help shows usage" "usage: import"

finish
