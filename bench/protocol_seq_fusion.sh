#!/bin/sh
# protocol_seq_fusion.sh: the sequence model fused with the order-free
# ones (issue 14) through the real program, on ml-100k u.data and on the
# Taobao sample: hold out each user's last interaction as test and the
# last one or two of the rest as validation (`split last 1 --valid
# 0.01`: at least one per user), train pop, itemknn, als, bpr, ease and
# gru4rec with their defaults, `tune` the weighted fusion on validation
# (never the test part), `refit` every model on train + validation with
# the same parameters and weights, and evaluate on test.  Target: fused
# NDCG@10 >= gru4rec (refit) alone, on both.
#
#   RECFUSE=./recfuse RECFUSE_DATA=../shared/data sh bench/protocol_seq_fusion.sh
set -eu
: "${RECFUSE:=${top_builddir:-.}/recfuse}"
: "${RECFUSE_DATA:=${top_srcdir:-.}/../shared/data}"
: "${SEQ_FUSION_MODELS:=pop itemknn als bpr ease gru4rec}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

dir=$(mktemp -d "${TMPDIR:-/tmp}/recfuse-protocol-sf.XXXXXX")
trap 'rm -rf "$dir"' EXIT

run() {
	label=$1 data=$2
	if [ ! -r "$data" ]; then
		echo "protocol_seq_fusion: $data not found: $label skipped"
		return 0
	fi
	script="import $data; split last 1 --valid 0.01"
	for m in $SEQ_FUSION_MODELS; do
		script="$script; train $m"
	done
	script="$script; fuse weighted; tune; refit; eval --k 10"
	echo "== $label: $script"
	start=$(date +%s)
	rm -f "$dir/store.rfs"
	"$RECFUSE" "$dir/store.rfs" -e "$script" |
	    grep -v ' epoch [0-9]*/' | tee "$dir/out"
	# The eval table: model RMSE MAE P R NDCG ...; a refitted model's
	# name is two words, so its NDCG@10 is one column further.
	awk -v label="$label" '$1 == "model" && $2 == "RMSE" { t = 1; next }
	    t && $1 == "fused" { fused = $6; fhr = $8 }
	    t && $1 == "gru4rec" && $2 == "(refit)" { seq = $7; shr = $9 }
	    END {
		if (fused == "" || seq == "") {
			printf "protocol_seq_fusion: %s: MISS (no fused or refitted gru4rec row)\n", label
			exit
		}
		ok = fused >= seq
		printf "protocol_seq_fusion: %s: fused NDCG@10 %.4f (HR@10 %.4f) vs gru4rec alone %.4f (HR@10 %.4f), target fused >= alone: %s\n",
		    label, fused, fhr, seq, shr, ok ? "PASS" : "MISS"
	    }' "$dir/out"
	echo "protocol_seq_fusion: $label: $(( $(date +%s) - start )) s"
}

run ml-100k "$RECFUSE_DATA/ml-100k/u.data"
run taobao "$RECFUSE_DATA/taobao-userbehavior/UserBehavior.csv"
