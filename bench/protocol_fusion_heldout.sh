#!/bin/sh
# protocol_fusion_heldout.sh: does the fusion beat its best member on data
# it has not seen?  Through the real program, on three public datasets:
#   ml-100k   split temporal 0.2 --valid 0.05 (Protocol B's test);
#   Last.fm   split random 0.2 --seed 1 --valid 0.1 (no times);
#   Taobao    split temporal 0.2 --valid 0.1 (the sample's users);
# every order-free implicit model with its defaults (pop itemknn als bpr
# ease neural; on the two data sets with times, ml-100k and Taobao, also
# with gru4rec, the sequence model, added),
# `tune` on validation, `refit` on train + validation, `eval` on test.
# Prints, per dataset, the fused NDCG@10 against the best refitted single
# model as a ratio, and the per-user difference with its 95% interval.
# Targets: ml-100k fused >= 0.200 and >= 1.03 x the best single; the
# others fused >= the best single.
#
#   RECFUSE=./recfuse RECFUSE_DATA=../shared/data sh bench/protocol_fusion_heldout.sh
set -eu
: "${RECFUSE:=${top_builddir:-.}/recfuse}"
: "${RECFUSE_DATA:=${top_srcdir:-.}/../shared/data}"
: "${FUSION_MODELS:=pop itemknn als bpr ease neural}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

dir=$(mktemp -d "${TMPDIR:-/tmp}/recfuse-fusion-heldout.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# pool MODEL...: the train commands of a pool
pool() {
	train=""
	for m in "$@"; do
		train="$train; train $m"
	done
}
# shellcheck disable=SC2086
pool $FUSION_MODELS

# one NAME FILE SPLIT MIN_RATIO [MIN_NDCG]
one() {
	name=$1 file=$2 split=$3 ratio=$4 floor=${5:-0}
	if [ ! -r "$file" ]; then
		echo "$name: $file not found: skipped"
		return
	fi
	start=$(date +%s)
	"$RECFUSE" "$dir/$name.rfs" -e "import $file; split $split$train; tune; refit; eval --k 10" \
	    > "$dir/$name.out" 2>&1 || { tail -n 5 "$dir/$name.out"; echo "$name: FAILED"; return; }
	grep -E '^tune|chose' "$dir/$name.out" | head -n 1
	awk -v name="$name" -v want="$ratio" -v floor="$floor" -v secs=$(( $(date +%s) - start )) '
	    $1 == "model" && $2 == "RMSE" { t = 1; next }
	    t && $1 == "fused" { fused = $6 }
	    t && $2 == "(refit)" { if ($7 > best) { best = $7; bn = $1 } }
	    /^fusion minus the best single model \(.*refit/ { cmp = $0; sub(/^.*per test user: /, "", cmp) }
	    END {
		if (fused == "" || best == "") { print name ": MISS (no fused or refitted rows)"; exit }
		ok = fused >= want * best && fused >= floor
		printf "%s: fused NDCG@10 %.4f, best single %s %.4f, ratio %.3f (target >= %.2f%s): %s; per user %s; %d s\n",
		    name, fused, bn, best, fused / best, want,
		    (floor > 0 ? sprintf(" and >= %.3f", floor) : ""), ok ? "PASS" : "MISS", cmp, secs
	    }' "$dir/$name.out"
}

# The order-free pool, then (unless it has it already) with the sequence
# model as well, on the data with times: order is what the order-free six
# miss on a temporal split.
case " $FUSION_MODELS " in
*" gru4rec "*) seq="" ;;
*) seq=gru4rec ;;
esac
one ml-100k "$RECFUSE_DATA/ml-100k/u.data" "temporal 0.2 --valid 0.05" 1.03 0.200
if [ -n "$seq" ]; then
	# shellcheck disable=SC2086
	pool $FUSION_MODELS $seq
	one "ml-100k+$seq" "$RECFUSE_DATA/ml-100k/u.data" \
	    "temporal 0.2 --valid 0.05" 1.03 0.200
	# shellcheck disable=SC2086
	pool $FUSION_MODELS
fi
one lastfm "$RECFUSE_DATA/lastfm-hetrec2011-2k/user_artists.dat" "random 0.2 --seed 1 --valid 0.1" 1.0
one taobao "$RECFUSE_DATA/taobao-userbehavior/UserBehavior.csv" "temporal 0.2 --valid 0.1" 1.0
if [ -n "$seq" ]; then
	# shellcheck disable=SC2086
	pool $FUSION_MODELS $seq
	one "taobao+$seq" "$RECFUSE_DATA/taobao-userbehavior/UserBehavior.csv" \
	    "temporal 0.2 --valid 0.1" 1.0
fi
