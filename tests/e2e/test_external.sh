#!/bin/sh
# Models trained elsewhere (issue 13).  An ALS model trained here on
# ml-100k has its factors exported, rewritten by a small Python script
# (standard library only) in the layout Spark MLlib's ALSModel writes
# (several shuffled part files, .crc files, _SUCCESS, shortest float
# texts), imported under a name of its own: it evaluates to the same
# NDCG@10 as the model it came from (within 1e-6), fuses, explains a
# recommendation, is marked imported, comes back in a new process and
# stays as it is through refit.  A --scores list (export recs' CSV, and
# Spark's recommendForAllUsers exploded to JSON lines) imports with its
# unknown ids counted and fuses.  Every JSON output is parsed strictly.
set -u
. "${top_srcdir:-.}/tests/lib/lib.sh"
need_data
command -v python3 >/dev/null 2>&1 || { echo "SKIP - no python3"; exit 77; }
export OPENBLAS_NUM_THREADS=1
ml="$RECFUSE_DATA/ml-100k"
db="$tmp/x.db"

run_ok "ml-100k, a split with validation, ALS trained here" "$RECFUSE" "$db" \
    -e "import $ml/u.data; import-items $ml/u.item; \
    split temporal 0.2 --valid 0.1; train als factors=32"
run_ok "export factors" "$RECFUSE" "$db" -e "export factors als $tmp/native"
expect_out "export factors says what it wrote" \
    "wrote the 32 factors of als for 943 users and 1682 items"
check "Spark's layout: a part file and _SUCCESS per table" sh -c "
    [ -f '$tmp/native/userFactors/part-00000.json' ] &&
    [ -f '$tmp/native/itemFactors/_SUCCESS' ]"
run_ok "the factors rewritten as Spark writes them, over 4 part files" \
    python3 "$top_srcdir/tests/e2e/spark_layout.py" "$tmp/native" \
    "$tmp/spark" 4
check "4 part files of users" \
    [ "$(ls "$tmp/spark/userFactors" | grep -c '^part-.*\.json$')" -eq 4 ]

run_ok "import-model --factors" "$RECFUSE" "$db" -o json \
    -e "import-model spark --factors $tmp/spark/userFactors \
    $tmp/spark/itemFactors"
json_ok "the import is reported, every id known" "$tmp/out" "
    docs[0]['import']['factors'] == 32 and
    docs[0]['import']['user_rows'] == 943 and
    docs[0]['import']['item_rows'] == 1682 and
    docs[0]['import']['unknown_users'] == 0 and
    docs[0]['import']['items_covered'] == 1682"

run_ok "eval" "$RECFUSE" "$db" -o json -e "eval"
cp "$tmp/out" "$tmp/eval.json"
json_ok "the imported model's NDCG@10 is the native model's (1e-6)" \
    "$tmp/eval.json" "
    [abs(r['ndcg_at_10'] - n['ndcg_at_10']) <= 1e-6
     for r in docs[0]['eval'] if r['model'] == 'spark'
     for n in docs[0]['eval'] if n['model'] == 'als'] == [True]"
json_ok "and every other measure too" "$tmp/eval.json" "
    [{k: v for k, v in r.items() if k != 'model'} for r in docs[0]['eval']
     if r['model'] == 'spark'] ==
    [{k: v for k, v in r.items() if k != 'model'} for r in docs[0]['eval']
     if r['model'] == 'als']"

run_ok "models marks it imported" "$RECFUSE" "$db" -o json -e "models"
json_ok "origin imported, from where" "$tmp/out" "
    [(m['origin'], m['params'].startswith('factors=32 users='))
     for m in docs[0]['models'] if m['model'] == 'spark'] ==
    [('imported', True)] and
    [m['origin'] for m in docs[0]['models'] if m['model'] == 'als'] ==
    ['trained']"

# A second model trained here, so that the fusion has something to add.
run_ok "train ease; fuse; weights" "$RECFUSE" "$db" -o json \
    -e "train ease; fuse weighted; weights spark=2 ease=1 als=0"
json_ok "the imported model is fused and weighed" "$tmp/out" "
    [round(r['weight'], 3) for r in docs[2]['fusion']
     if r['model'] == 'spark'] == [0.667]"
run_ok "recommend --model spark" "$RECFUSE" "$db" -o json \
    -e "recommend 196 --model spark --k 1"
json_ok "a recommendation of the imported model" "$tmp/out" \
    "len(docs[0]['recommendations']) == 1"
item=$(python3 -c 'import json,sys
print(json.loads(open(sys.argv[1]).read())["recommendations"][0]["item"])' \
    "$tmp/out")
run_ok "explain 196 $item" "$RECFUSE" "$db" -o json -e "explain 196 $item"
json_ok "explained: the imported model's share and its history items" \
    "$tmp/out" "
    [c['share_pct'] > 0 for c in docs[0]['contributions']
     if c['model'] == 'spark'] == [True] and
    len([r for r in docs[0]['reasons'] if r['model'] == 'spark' and
         r['kind'] == 'history']) >= 3 and
    docs[0]['messages'][0].startswith('Recommended')"
run_ok "the fused list, in a new process (loaded back)" "$RECFUSE" "$db" \
    -o json -e "eval --k 10"
json_ok "eval has spark, ease, als and fused" "$tmp/out" "
    sorted(r['model'] for r in docs[0]['eval']) ==
    ['als', 'ease', 'fused', 'spark'] and 'comparison' in docs[0]"
run_ok "refit keeps the imported model as it is" "$RECFUSE" "$db" -o json \
    -e "refit; eval"
json_ok "spark (as imported) measures as before" "$tmp/out" "
    [r['ndcg_at_10'] for r in docs[1]['eval'] if r['model'] ==
     'spark (as imported)'] ==
    [r['ndcg_at_10'] for r in docs[1]['eval'] if r['model'] == 'spark']"

run_ok "export recs as CSV" "$RECFUSE" "$db" \
    -e "export recs $tmp/recs.csv --model fused --k 5"
check "CSV with a header, read by python's csv" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0]) == ["user", "item", "rank", "score"], rows[0]
assert len(rows) == 943 * 5 and rows[0]["rank"] == "1"' "$tmp/recs.csv"

# A score list: export recs' CSV of a model, with rows of ids the data
# do not have, imported and fused; the same as Spark's
# recommendForAllUsers exploded and written as JSON lines in part files.
sdb="$tmp/s.db"
run_ok "a split without validation, EASE's top 50 as CSV" "$RECFUSE" "$sdb" \
    -e "import $ml/u.data; split temporal 0.2; train ease; \
    export recs $tmp/ease.csv --model ease --k 50"
printf '99999,1,1,0.5\n196,99999,1,0.5\n' >> "$tmp/ease.csv"
run_ok "import-model --scores" "$RECFUSE" "$sdb" -o json \
    -e "import-model list --scores $tmp/ease.csv"
json_ok "the unknown user and item are counted" "$tmp/out" "
    docs[0]['import']['kind'] == 'scores' and
    docs[0]['import']['user_rows'] == 943 * 50 + 2 and
    docs[0]['import']['unknown_users'] == 1 and
    docs[0]['import']['unknown_items'] == 1 and
    docs[0]['import']['users_covered'] == 943"
run_fail "an unknown user is named in the text" "$RECFUSE" "$sdb" \
    -e "import-model ease --scores $tmp/ease.csv"
expect_err "a registry name is refused" "names a model of recfuse's own"
run_ok "the list in text" "$RECFUSE" "$sdb" \
    -e "import-model list --scores $tmp/ease.csv"
expect_out "the text names an unknown id" "unknown to the data (such as '99999')"
mkdir "$tmp/recs"
python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))[:-2]
for p in range(2):
    with open("%s/part-%05d.json" % (sys.argv[2], p), "w") as f:
        for r in rows[p::2]:
            f.write(json.dumps({"user": int(r["user"]),
                                "item": int(r["item"]),
                                "rating": float(r["score"])}) + "\n")
open(sys.argv[2] + "/_SUCCESS", "w").close()' "$tmp/ease.csv" "$tmp/recs"
run_ok "import-model --scores of JSON part files" "$RECFUSE" "$sdb" -o json \
    -e "import-model sparkrecs --scores $tmp/recs"
json_ok "every row known" "$tmp/out" "
    docs[0]['import']['user_rows'] == 943 * 50 and
    docs[0]['import']['unknown_users'] == 0"
run_ok "the lists fused with the model" "$RECFUSE" "$sdb" -o json \
    -e "fuse weighted; weights ease=1 list=1 sparkrecs=1; eval"
json_ok "eval has the lists and a fused row" "$tmp/out" "
    sorted(r['model'] for r in docs[2]['eval']) ==
    ['ease', 'fused', 'list', 'sparkrecs'] and
    all(r['ndcg_at_10'] > 0.1 for r in docs[2]['eval'])"
run_ok "a list's recommendation explained" "$RECFUSE" "$sdb" -o json \
    -e "explain 196"
json_ok "explain 196" "$tmp/out" "len(docs[0]['recommendations']) == 10"
finish
