#!/bin/sh
# A scoring parameter chosen after the fit (model_search.scoring): EASE's
# recency at its default (-1) is tried at every listed value on the
# validation part once B is fitted, each try printed; the model keeps the
# value with the best validation NDCG@10 (the first of equals), its run
# records it, a refit and a reload keep it.  Without a validation part it
# is 0 (every history item counts 1), and so without times; a value
# given is not searched.
set -u
. "${top_srcdir:-.}/tests/lib/lib.sh"
need_data
data="$RECFUSE_DATA/ml-100k/u.data"
db="$tmp/r.db"

run_ok "temporal split, ease" "$RECFUSE" "$db" -e \
    "import $data; split temporal 0.2 --valid 0.05; train ease"
# The tries: "ease after the fit N: recency=V, valid ndcg@10 X", with
# "(best so far)" after each that beat the ones before: the last of those
# is the pick.
awk '/^ease after the fit [0-9]+: recency=/ {
	n++
	if (/\(best so far\)$/) {
		pick = $6; sub(/^recency=/, "", pick); sub(/,$/, "", pick); v = $9
	}
    }
    END { print n, pick, v }' "$tmp/out" >"$tmp/tries"
read -r tries pick best <"$tmp/tries"
check "six values tried after the fit ($tries)" [ "${tries:-0}" -eq 6 ]
check "recency picked on validation is not 0 on a temporal split ($pick)" \
    [ "${pick:-0}" != 0 ]
run_ok "the run's last epoch" "$RECFUSE" -o tsv "$db" -e \
    "sql SELECT printf('%.4f', valid_metric) FROM epochs ORDER BY run_id DESC, epoch DESC LIMIT 1"
expect_out "validates at the chosen value's figure ($best)" "^$best\$"
run_ok "models" "$RECFUSE" -o tsv "$db" -e "models"
expect_out "the run keeps the best try (recency=$pick)" \
    "lambda=200 binary=1 max_items=10000 recency=$pick	"
expect_out "the tries are recorded with the run" \
    "after the fit: recency=0 [0-9.]*\*, recency=3 "
# A refit retrains with the chosen value: its test figures are those of
# a refit of the same model trained with the value given.
run_ok "refit" "$RECFUSE" -o tsv "$db" -e "fuse weighted; refit; eval --k 10"
grep '^ease (refit)	' "$tmp/out" >"$tmp/refit-auto"
run_ok "the value given" "$RECFUSE" -o tsv "$tmp/g.db" -e \
    "import $data; split temporal 0.2 --valid 0.05; train ease recency=$pick; fuse weighted; refit; eval --k 10"
grep '^ease (refit)	' "$tmp/out" >"$tmp/refit-given"
check "the refit keeps recency=$pick" sh -c \
    "[ -s '$tmp/refit-auto' ] && cmp -s '$tmp/refit-auto' '$tmp/refit-given'"
run_ok "the value 0" "$RECFUSE" -o tsv "$tmp/z.db" -e \
    "import $data; split temporal 0.2 --valid 0.05; train ease recency=0; fuse weighted; refit; eval --k 10"
grep '^ease (refit)	' "$tmp/out" >"$tmp/refit-zero"
check "which is not recency=0's" sh -c \
    "[ -s '$tmp/refit-zero' ] && ! cmp -s '$tmp/refit-auto' '$tmp/refit-zero'"
run_ok "models after refit" "$RECFUSE" -o tsv "$db" -e "models"
check "no run is left at recency=-1" sh -c "! grep -q 'recency=-1' '$tmp/out'"

run_fail "recency=-0.5 is refused" "$RECFUSE" "$db" -e \
    "train ease recency=-0.5"
expect_err "and said why" "recency=-0.5 is neither -1"

run_ok "a value given is used as given" "$RECFUSE" "$db" -e \
    "train ease recency=0"
check "nothing tried" sh -c "! grep -q 'ease after the fit' '$tmp/out'"

run_ok "no validation part" "$RECFUSE" "$tmp/n.db" -e \
    "import $data; split temporal 0.2; train ease; models"
check "nothing tried without validation" sh -c "! grep -q 'ease after the fit' '$tmp/out'"
expect_out "recency 0 without validation" "max_items=10000 recency=0 "

# Data without times (Last.fm's counts): nothing to weigh by, no tries.
lastfm="$RECFUSE_DATA/lastfm-hetrec2011-2k/user_artists.dat"
if [ -r "$lastfm" ]; then
	run_ok "data without times" "$RECFUSE" "$tmp/f.db" -e \
	    "import $lastfm; split random 0.2 --seed 1 --valid 0.1; train itemknn"
	run_ok "its run" "$RECFUSE" -o tsv "$tmp/f.db" -e "models"
	check "nothing tried without times" sh -c "! grep -q 'itemknn after the fit' '$tmp/out'"
	expect_out "recency 0 without times" "max_mb=1024 recency=0	"
fi

finish
