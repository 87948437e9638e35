#!/bin/sh
# protocol_b_fusion.sh: Protocol B with fusion (issue 4) through the real
# program: import ml-100k u.data (every rating a positive), hold out the
# last 20% of each user's ratings by time as test and carve the last 20%
# of the rest as validation (`split temporal 0.2 --valid 0.2`), train
# EASE, item kNN and ALS with their defaults (three families: linear
# item-item, neighbourhood, latent factors), `tune` the weighted fusion
# on validation (NDCG@10; never the test part), `refit` every model on
# train + validation with the same parameters keeping the weights, and
# evaluate on test.  The eval table has the train-only models, the
# refitted ones ("ease (refit)", ranked over items not in train + valid,
# like the fusion) and "fused".  Target: fused NDCG@10 >= 0.200 and
# strictly above the best refitted single model.
#
#   RECFUSE=./recfuse RECFUSE_DATA=../shared/data sh bench/protocol_b_fusion.sh
set -eu
: "${RECFUSE:=${top_builddir:-.}/recfuse}"
: "${RECFUSE_DATA:=${top_srcdir:-.}/../shared/data}"
: "${PROTOCOL_B_FUSION_MODELS:=ease itemknn als}"
: "${PROTOCOL_B_VALID:=0.2}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

data="$RECFUSE_DATA/ml-100k/u.data"
if [ ! -r "$data" ]; then
	echo "protocol_b_fusion: $data not found: skipped"
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/recfuse-protocol-bf.XXXXXX")
trap 'rm -rf "$dir"' EXIT

script="import $data; split temporal 0.2 --valid $PROTOCOL_B_VALID"
for m in $PROTOCOL_B_FUSION_MODELS; do
	script="$script; train $m"
done
script="$script; tune; refit; eval --k 10"
echo "== $script"
start=$(date +%s)
"$RECFUSE" "$dir/store.rfs" -e "$script" | grep -v ' epoch [0-9]*/' |
    tee "$dir/out"
# NDCG@10 is the 6th column of the eval table (model RMSE MAE P R NDCG).
awk '$1 == "model" && $2 == "RMSE" { t = 1; next }
    t && $1 == "fused" { fused = $6 }
    t && $2 == "(refit)" { if ($7 > best) { best = $7; bn = $1 } }
    END {
	if (fused == "") { print "protocol_b_fusion: MISS (no fused row)"; exit }
	ok = fused >= 0.200 && fused > best
	printf "protocol_b_fusion: fused NDCG@10 %.4f vs target >= 0.200 and > best refitted single (%s %.4f): %s\n",
	    fused, bn, best, ok ? "PASS" : "MISS"
    }' "$dir/out"
echo "protocol_b_fusion: $(( $(date +%s) - start )) s in all"
