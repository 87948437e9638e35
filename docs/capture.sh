#!/bin/sh
# capture.sh: the text captures of docs/GUIDE.md, taken by recfuse itself
# (a key script through --script, each screen written by save-display).
# On a generated Taobao-style log with item names: five models trained
# here, ALS's factors exported and imported again under the name `spark`
# (as a model trained on a cluster would come in), fused with weights.
#
#   sh docs/capture.sh [BUILDDIR]     writes docs/screens/*.txt
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top}" && pwd)
out="$top/docs/screens"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recfuse-capture.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out" "$tmp/home"
cd "$tmp"

run() {
	env -i HOME="$tmp/home" PATH="$PATH" TZ=UTC LANG=C.UTF-8 \
	    TERM=xterm-256color LINES=32 COLUMNS=100 OPENBLAS_NUM_THREADS=1 \
	    "$build/recfuse" "$@"
}

"$build/samples/gen-taobao" --seed 7 --users 600 --items 900 --rows 30000 \
    -o shop.csv -i shop-items.tsv >/dev/null
run shop.db -e 'import shop.csv; import-items shop-items.tsv;
    split temporal 0.2 --valid 0.1 --seed 1; train pop; train itemknn;
    train ease; train als factors=32; train bpr --epochs 20;
    export factors als spark-factors;
    import-model spark --factors spark-factors/userFactors
    spark-factors/itemFactors; fuse weighted norm=zscore;
    weights ease=0.4 itemknn=0.2 spark=0.4 pop=0 als=0 bpr=0' >/dev/null

cat > script <<'KEYS'
:weights
1
:save-display data.txt
2
:save-display train.txt
3
:save-display fusion.txt
:user 7
4
:save-display user.txt
j
<Enter>
:save-display user-why.txt
5
:save-display log.txt
?
:save-display help.txt
<Esc>
KEYS
run --script script shop.db >/dev/null 2>&1
for s in data train fusion user user-why log help; do
	sed 's/[ ]*$//' "$s.txt" > "$out/$s.txt"
done
echo "capture: $(ls "$out" | wc -l) screens in $out"
