#!/bin/sh
# Options never ignored (issue 11, finding 5): an option that does not
# apply to what it is given is an error that says why; --map works for
# every delimited file (a map makes the file generic) or is refused;
# duplicate column mappings are refused; an import that accepts no row
# fails and keeps nothing; a number too large for its field is "out of
# range", not "not a number".  Each check failed (exit 0, or another
# message) before.
set -u
. "${top_srcdir:-.}/tests/lib/lib.sh"

db="$tmp/o.db"
tiny="$top_srcdir/samples/tiny.csv"

run_err() {
	desc=$1
	run_fail "$@"
	check "$desc: exit 1, not a signal ($st)" [ "$st" -eq 1 ]
}

# --map on a file the sniffer reads as taobao: the map is used (the
# file is read as generic), its columns as mapped.
cp "$tiny" "$tmp/t.csv"
run_ok "--map on a sniffed taobao file" "$RECFUSE" "$db" -e \
    "import --map user=2,item=1,type=4,time=5 $tmp/t.csv; users --top 1"
expect_out "read as generic" "import #1 (generic)"
rows=$(wc -l < "$tiny" | tr -d ' ')
expect_out "every row taken" "$rows rows read, $rows events"
# The users are the mapped column (taobao's item ids): 7 digits.
expect_out "users from column 2" "^ *[0-9]\{7\} "

# --map with a fixed format named: refused, saying why.
run_err "--format taobao --map" "$RECFUSE" "$db" -e \
    "import --format taobao --map user=1,item=2 --force $tmp/t.csv"
expect_err "why --map is refused" \
    "--map does not apply to the taobao format, whose columns are fixed"
for f in "--format movielens --delim ," "--format taobao --header no" \
    "--format ml-csv --map user=1,item=2"; do
	run_err "import $f" "$RECFUSE" "$db" -e "import $f --force $tmp/t.csv"
	expect_err "import $f: why" "does not apply to the"
done

# --weights where the rows are ratings: refused, named or sniffed.
printf '1\t10\t4\t881250949\n2\t11\t3\t881250950\n' > "$tmp/r.tsv"
run_err "--weights on movielens" "$RECFUSE" "$db" -e \
    "import --format movielens --weights pv=2 $tmp/r.tsv"
expect_err "why --weights is refused" \
    "--weights does not apply to the movielens format: its rows are ratings"
run_err "--weights on a sniffed movielens file" "$RECFUSE" "$db" -e \
    "import --weights pv=2 $tmp/r.tsv"
expect_err "sniffed named" "(as the file was sniffed)"

# One column for two roles, or a role given twice.
run_err "--map user=1,item=1" "$RECFUSE" "$db" -e \
    "import --format generic --map user=1,item=1 --force $tmp/t.csv"
expect_err "one column, two roles" "column 1 is mapped to both user and item"
run_err "--map user=1,user=2" "$RECFUSE" "$db" -e \
    "import --format generic --map user=1,user=2,item=3 --force $tmp/t.csv"
expect_err "a role twice" "user is given twice (columns 1 and 2)"

# An import that accepts no row: an error, and nothing kept (the same
# file imports with the right options afterwards).
run_err "import --format taobao /bin/ls" "$RECFUSE" "$tmp/ls.db" -e \
    "import --format taobao /bin/ls"
expect_err "no row accepted" \
    "/bin/ls: none of its [0-9]* rows was accepted (read as taobao; line 1: "
expect_err "nothing kept" "nothing was imported"
run_ok "the store kept nothing" "$RECFUSE" "$tmp/ls.db" -e \
    "sql SELECT count(*) AS n FROM imports"
expect_out "no import row" "^ *0 *$"
printf '1,100,10,pv\n' > "$tmp/short.csv"
run_err "every row rejected" "$RECFUSE" "$tmp/ls.db" -e \
    "import --format taobao $tmp/short.csv"
expect_err "the first reason shown" "line 1: expected 5 fields, found 4"
printf '1,100,10,pv,1511544070\n' > "$tmp/short.csv"
run_ok "the same file fixed imports" "$RECFUSE" "$tmp/ls.db" -e \
    "import --format taobao $tmp/short.csv"
printf 'user,item,time\n' > "$tmp/header.csv"
run_err "a header and no rows" "$RECFUSE" "$tmp/ls.db" -e \
    "import $tmp/header.csv"
expect_err "no data rows said" "header.csv: no data rows (read as generic)"

# Numbers too large for their field: out of range.
printf '1,100,10,pv,9223372036854775807\n1,101,10,pv,1511544071\n' \
    > "$tmp/big.csv"
run_ok "a huge timestamp" "$RECFUSE" -o tsv "$tmp/n.db" -e \
    "import --format taobao $tmp/big.csv; rejects"
expect_out "out of range, not 'not a number'" \
    "timestamp 9223372036854775807: out of range (after the maximum"
printf 'user,item,time\nu1,i1,99999999999999999999\nu1,i2,1511544071\n' \
    > "$tmp/big2.csv"
run_ok "a huge generic time" "$RECFUSE" -o tsv "$tmp/n.db" -e \
    "import $tmp/big2.csv; rejects"
expect_out "generic: out of range" \
    "timestamp 99999999999999999999: out of range"
printf 'userId,movieId,rating,timestamp\n1,2,1e999,1511544070\n' \
    > "$tmp/big3.csv"
printf '1,3,4,1511544071\n' >> "$tmp/big3.csv"
run_ok "a huge rating" "$RECFUSE" -o tsv "$tmp/n.db" -e \
    "import $tmp/big3.csv; rejects"
expect_out "rating out of range" "rating 1e999 is out of range"

# Command options that do not apply to what they are given.
run_ok "data for the commands" "$RECFUSE" "$tmp/c.db" -e \
    "import $tiny; split temporal 0.2; train pop"
user=$(sed -n '1s/,.*//p' "$tiny")
item=$(sed -n '1s/^[^,]*,\([^,]*\),.*/\1/p' "$tiny")
run_err "explain without ITEM --probe" "$RECFUSE" "$tmp/c.db" -e \
    "fuse weighted; explain $user --probe"
expect_err "--probe needs an item" "--probe applies to one item"
run_err "explain ITEM --k" "$RECFUSE" "$tmp/c.db" -e \
    "fuse weighted; explain $user $item --k 3"
expect_err "--k is for a summary" "--k applies to a user's summary"
printf '%s\t%s\n' "$user" "$item" > "$tmp/pairs.tsv"
run_err "export preds --k" "$RECFUSE" "$tmp/c.db" -e \
    "export preds $tmp/p.out --pairs $tmp/pairs.tsv --k 3"
expect_err "--k is for recs" "--k is for export recs"
run_err "import-items --force" "$RECFUSE" "$tmp/c.db" -e \
    "import-items --force $top_srcdir/tests/data/items.tsv"
expect_err "items are never refused" "--force does not apply: item files"
run_err "import-items --delim with u.item" "$RECFUSE" "$tmp/c.db" -e \
    "import-items --format uitem --delim , $top_srcdir/tests/data/items.tsv"
expect_err "--delim with u.item" "--delim does not apply to the u.item format"
run_err "split temporal --seed" "$RECFUSE" "$tmp/c.db" -e \
    "split temporal 0.2 --seed 5"
expect_err "a time rule has no seed" \
    "--seed does not apply: this temporal split draws nothing at random"
run_err "split last --seed" "$RECFUSE" "$tmp/c.db" -e "split last 1 --seed 5"
run_err "split temporal --valid --seed" "$RECFUSE" "$tmp/c.db" -e \
    "split temporal 0.2 --valid 0.1 --seed 5"
run_ok "split random --seed" "$RECFUSE" "$tmp/c.db" -e \
    "split random 0.2 --seed 5"
run_ok "split temporal --valid-mode random --seed" "$RECFUSE" "$tmp/c.db" \
    -e "split temporal 0.2 --valid 0.1 --valid-mode random --seed 5"

finish
