#!/bin/sh
# test_gen: the sample generator keeps its promises (determinism, exact row
# count, Taobao format, a plausible funnel, rows grouped by user and sorted
# by time, every item named in the item file, buys after views), and the
# hand-written tiny sample is well formed.  Exit 0 pass, 1 fail.

top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
GEN=${GEN:-$top_builddir/samples/gen-taobao}
LC_ALL=C
export LC_ALL

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
pass() {
	echo "ok: $*"
}

if [ ! -x "$GEN" ]; then
	echo "FAIL: $GEN is not built"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/test_gen.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# The window of the default --start and --days 9.
START=1511539200
END=$((START + 9 * 86400))

# check_log LOG ITEMS LABEL: format, grouping, time order and item coverage.
# An empty or missing file, or an awk that fails, is a failure: each check
# below only reports what it finds wrong, so over nothing it finds nothing.
check_log() {
	log=$1 items=$2 label=$3

	if [ ! -s "$log" ] || [ ! -s "$items" ]; then
		fail "$label: $log or $items is missing or empty"
		return
	fi
	bad=$(awk -F, -v start="$START" -v end="$END" '
	NF != 5 { print "line " NR ": " NF " fields: " $0; exit }
	$4 != "pv" && $4 != "fav" && $4 != "cart" && $4 != "buy" {
		print "line " NR ": behaviour " $4; exit }
	$1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ ||
	    $5 !~ /^[0-9]+$/ { print "line " NR ": non-numeric: " $0; exit }
	$5 < start || $5 >= end { print "line " NR ": time outside the window: " $0; exit }
	' "$log") || bad="awk failed on $log"
	[ -z "$bad" ] && pass "$label: 5 numeric fields, valid behaviour, in window" ||
	    fail "$label: $bad"

	bad=$(awk -F, '
	$1 != user {
		if ($1 in seen) { print "user " $1 " comes back at line " NR; exit }
		seen[$1] = 1; user = $1; last = 0
	}
	$5 < last { print "line " NR ": time goes back within user " $1; exit }
	{ last = $5 }' "$log") || bad="awk failed on $log"
	[ -z "$bad" ] && pass "$label: grouped by user, sorted by time" ||
	    fail "$label: $bad"

	bad=$(awk -F'\t' '
	FNR == NR {
		if (FNR == 1) {
			if ($0 != "item\ttitle\tcategory") { print "item file header: " $0; exit }
			next
		}
		if (NF != 3 || $2 == "") { print "item file line " FNR ": " $0; exit }
		if ($1 in category) { print "item " $1 " twice in the item file"; exit }
		category[$1] = $3
		next
	}
	{
		split($0, f, ",")
		if (!(f[2] in category)) { print "item " f[2] " (line " FNR ") not in the item file"; exit }
		if (category[f[2]] != f[3]) { print "item " f[2] " has category " f[3] " in the log, " category[f[2]] " in the item file"; exit }
	}' "$items" "$log") || bad="awk failed on $items and $log"
	[ -z "$bad" ] && pass "$label: every item is in the item file, same category" ||
	    fail "$label: $bad"
}

# 1. Determinism.
for run in "7 a" "7 b" "8 c"; do
	# shellcheck disable=SC2086
	set -- $run
	"$GEN" --seed "$1" --rows 20000 --users 400 -o "$work/$2.csv" \
	    -i "$work/$2.tsv" || fail "gen-taobao --seed $1 exited $?"
done
[ "$(wc -l < "$work/a.csv" | tr -d ' ')" = 20000 ] &&
    pass "seed 7: 20000 rows" || fail "seed 7 did not write 20000 rows"
cmp -s "$work/a.csv" "$work/b.csv" && cmp -s "$work/a.tsv" "$work/b.tsv" &&
    pass "same seed, same bytes" || fail "two runs with seed 7 differ"
cmp -s "$work/a.csv" "$work/c.csv" && fail "seeds 7 and 8 give the same log" ||
    pass "another seed, another log"
# The log to stdout is the same as the log to a file.
"$GEN" --seed 7 --rows 20000 --users 400 | cmp -s - "$work/a.csv" &&
    pass "stdout = -o" || fail "stdout and -o differ"

# 2. Exact row counts, including odd ones and fewer rows than users.
for spec in "100000" "12345 --users 300" "7 --users 50" "0"; do
	# shellcheck disable=SC2086
	set -- $spec
	want=$1
	shift
	got=$("$GEN" --rows "$want" "$@" | wc -l | tr -d ' ')
	[ "$got" = "$want" ] && pass "--rows $spec: $got lines" ||
	    fail "--rows $spec: $got lines"
done

# 3. The default run: structure.
"$GEN" -o "$work/d.csv" -i "$work/d.tsv" || fail "the default run exited $?"
check_log "$work/d.csv" "$work/d.tsv" "default log"

# 4. The funnel: the real log has pv 89.8 %, cart 5.3 %, fav 2.8 %, buy 2.1 %.
mix=$(awk -F, '{ n[$4]++ } END {
	printf "%.2f %.2f %.2f %.2f", 100 * n["pv"] / NR, 100 * n["fav"] / NR,
	    100 * n["cart"] / NR, 100 * n["buy"] / NR }' "$work/d.csv")
echo "   behaviour mix (pv fav cart buy, %): $mix"
echo "$mix" | awk '{ exit !($1 >= 86 && $1 <= 92 && $2 >= 2 && $2 <= 5 &&
    $3 >= 3.5 && $3 <= 7 && $4 >= 1.2 && $4 <= 3.5) }' &&
    pass "behaviour mix in range" || fail "behaviour mix out of range: $mix"

# 5. Buys mostly come after a view of the same item by the same user.
share=$(awk -F, '
	{ key = $1 "," $2 }
	$4 == "pv" { viewed[key] = 1 }
	$4 == "buy" { buys++; if (key in viewed) after++ }
	END { printf "%.3f", buys ? after / buys : 0 }' "$work/d.csv")
echo "   share of buys after a pv of the item: $share"
awk -v s="$share" 'BEGIN { exit !(s >= 0.8) }' &&
    pass "buys follow views" || fail "only $share of buys follow a view"

# 6. Structure a recommender needs: a heavy head of items, users with
# focused tastes (most of a user's rows in a few categories).
stats=$(awk -F, '
	{ item[$2]++; rows[$1]++; uc[$1 "," $3]++ }
	END {
		for (i in item) { n++; if (item[i] > top) top = item[i] }
		for (k in uc) { split(k, f, ","); if (uc[k] > best[f[1]]) best[f[1]] = uc[k] }
		for (u in rows) { users++; share += best[u] / rows[u] }
		printf "%d %d %d %.2f", users, n, top, share / users
	}' "$work/d.csv")
echo "   users, distinct items, top item rows, mean share of a user's top category: $stats"
echo "$stats" | awk '{ exit !($1 == 2000 && $2 > 1000 && $3 > 500 && $4 > 0.3) }' &&
    pass "popularity head and focused tastes" || fail "weak structure: $stats"

# 7. --dirty spoils about the asked fraction and keeps the line count.
"$GEN" --dirty 0.05 -o "$work/dirty.csv" || fail "--dirty 0.05 exited $?"
dirt=$(awk -F, '
	NF != 5 || ($4 != "pv" && $4 != "fav" && $4 != "cart" && $4 != "buy") ||
	    $1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ ||
	    $5 !~ /^[0-9]+$/ || $5 < 1511539200 { bad++; next }
	$0 == prev { bad++ }
	{ prev = $0 }
	END { printf "%d %d", NR, bad }' "$work/dirty.csv")
echo "   dirty run: lines, spoiled: $dirt"
echo "$dirt" | awk '{ exit !($1 == 100000 && $2 > 3000 && $2 < 7000) }' &&
    pass "--dirty 0.05 spoils about 5 % of lines" || fail "--dirty: $dirt"
tail -c 1 "$work/dirty.csv" | od -c | grep -q '\\n' &&
    fail "--dirty: the last line should be cut short" ||
    pass "--dirty cuts the last line short"

# 8. Options.
"$GEN" --help | grep -q -- '--rows' && pass "--help" || fail "--help"
# Refused with status 1 and a message (a crash is not a refusal).
"$GEN" --bogus 1 >/dev/null 2>"$work/err"
st=$?
[ $st -eq 1 ] && grep -q "unknown option '--bogus'" "$work/err" &&
    pass "an unknown option is refused" ||
    fail "--bogus 1: exit $st, $(cat "$work/err")"
"$GEN" --rows ten >/dev/null 2>"$work/err"
st=$?
[ $st -eq 1 ] && grep -q "rows: not a count: 'ten'" "$work/err" &&
    pass "--rows ten is refused" ||
    fail "--rows ten: exit $st, $(cat "$work/err")"

# 9. The hand-written sample.
tiny=$top_srcdir/samples/tiny.csv
tiny_items=$top_srcdir/samples/tiny-items.tsv
check_log "$tiny" "$tiny_items" "tiny.csv"
counts=$(awk -F, '
	!($1 in u) { u[$1] = 1; nu++ }
	!($2 in i) { i[$2] = 1; ni++ }
	!($3 in c) { c[$3] = 1; nc++ }
	$4 == "buy" { nb++ }
	END { printf "%d %d %d %d %d", NR, nu, ni, nc, nb }' "$tiny")
[ "$counts" = "54 6 15 5 10" ] && pass "tiny.csv: 54 rows, 6 users, 15 items, 5 categories, 10 buys" ||
    fail "tiny.csv counts (rows users items categories buys) are $counts"

if [ "$failures" -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
exit 0
