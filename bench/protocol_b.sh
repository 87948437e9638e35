#!/bin/sh
# protocol_b.sh: Protocol B (implicit top-N) through the real program:
# import ml-100k u.data, hold out the last 20% of each user's ratings by
# time (users with < 5 ratings stay whole), train the top-N models with
# their defaults, and print the eval table at K = 10 (full ranking over
# the items not in the user's train).  Targets (NDCG@10): als >= 0.174,
# ease >= 0.190, itemknn >= 0.170, bpr >= 0.150, neural >= 0.165;
# MostPopular is about 0.11.
#
#   RECFUSE=./recfuse RECFUSE_DATA=../shared/data sh bench/protocol_b.sh
set -eu
: "${RECFUSE:=${top_builddir:-.}/recfuse}"
: "${RECFUSE_DATA:=${top_srcdir:-.}/../shared/data}"
: "${PROTOCOL_B_MODELS:=pop itemknn als bpr ease neural}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

data="$RECFUSE_DATA/ml-100k/u.data"
if [ ! -r "$data" ]; then
	echo "protocol_b: $data not found: skipped"
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/recfuse-protocol-b.XXXXXX")
trap 'rm -rf "$dir"' EXIT

script="import $data; split temporal 0.2"
for m in $PROTOCOL_B_MODELS; do
	script="$script; train $m"
done
script="$script; eval --k 10"
start=$(date +%s)
"$RECFUSE" "$dir/store.rfs" -e "$script" | grep -v ' epoch [0-9]*/'
echo "protocol_b: $(( $(date +%s) - start )) s in all"
