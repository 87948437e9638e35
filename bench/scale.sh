#!/bin/sh
# scale.sh: Taobao scale on one machine (`make bench-scale`, not in `make
# check`).  For each size in SCALE_ROWS (default "10M 100M"), two logs: the
# generator's, grouped by user, and a uniform one in random order (the log
# the peer library implicit was timed on: ../shared/tools/gen-uniform.c).
# Each goes through the real program, one `recfuse -e` per step (import,
# split, each model, eval, fuse, tune, recommend, explain), and every step
# prints its wall time and peak RSS; the yardsticks of the same run come
# first: a raw SQLite insert of the very rows each import wrote
# (bench_import --rate) and one cblas_sgemm rate (bench_sgemm).
#
#   SCALE_ROWS     sizes to run, e.g. "10M" (default "10M 100M")
#   SCALE_EPOCHS   epochs for als and bpr on the uniform logs and at 100 M
#                  (default 3: their times are per epoch); the generator's
#                  10 M log trains with every model's defaults
#   SCALE_DIR      where the logs and stores go (default /tmp); removed at
#                  the end
#
# It checks free disk and memory first and skips a size that would not fit.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
: "${SCALE_ROWS:=10M 100M}" "${SCALE_EPOCHS:=3}" "${SCALE_DIR:=/tmp}"
export OPENBLAS_NUM_THREADS=1
RECFUSE="$top_builddir/recfuse"
GEN="$top_builddir/samples/gen-taobao"
UNIFORM_SRC="$top_srcdir/../shared/tools/gen-uniform.c"

if [ ! -x /usr/bin/time ]; then
	echo "bench-scale: /usr/bin/time is needed (wall time and peak RSS)"
	exit 1
fi
out=$(mktemp -d "$SCALE_DIR/recfuse-scale.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT INT TERM

# step NAME STORE COMMANDS: one recfuse process; its output kept in
# $out/NAME.log, a line with the wall seconds and the peak RSS.
step()
{
	name=$1 store=$2
	shift 2
	/usr/bin/time -f '%e %M' -o "$out/time" "$RECFUSE" "$store" -e "$*" \
	    >"$out/$name.log" 2>&1
	rc=$?
	# the last line: a failing command's status comes first
	read -r wall kib <<-EOF
	$(tail -n 1 "$out/time" 2>/dev/null)
	EOF
	case $wall in [0-9]*) ;; *) wall=?; kib=0 ;; esac
	printf '  %-26s %8s s  %7.0f MB%s\n' "$name" "$wall" \
	    "$(echo "$kib" | awk '{ print $1 / 1024 }')" \
	    "$([ $rc -eq 0 ] || echo "  (FAILED, exit $rc)")"
	# the lines that carry figures: the tables of eval, fuse and tune
	# whole, else epochs, what a model said, metrics
	case $name in
	*eval|*fuse*|*tune)
		cat "$out/$name.log" ;;
	*)
		grep -E 'epoch [0-9]+/|^trained|: (B covers|kept|the factors)|import #|split |sample|interval|rejected|error' \
		    "$out/$name.log" ;;
	esac | cut -c1-160 | sed 's/^/      | /' | tail -n 14
}

# bytes -> GB, for the checks
free_disk_gb()
{
	df -Pk "$out" | awk 'NR == 2 { printf "%d", $4 / 1048576 }'
}

free_mem_gb()
{
	awk '/^MemAvailable:/ { printf "%d", $2 / 1048576 }' /proc/meminfo
}

# rows_of 10M -> 10000000
rows_of()
{
	echo "$1" | awk '{ n = $1 + 0; u = substr($1, length($1));
	    if (u == "k" || u == "K") n *= 1e3; if (u == "M") n *= 1e6;
	    if (u == "G") n *= 1e9; printf "%d", n }'
}

uniform=""
if [ -f "$UNIFORM_SRC" ] && cc -O2 "$UNIFORM_SRC" -o "$out/gen-uniform" \
    2>/dev/null; then
	uniform="$out/gen-uniform"
else
	echo "bench-scale: no $UNIFORM_SRC (or no cc): the uniform logs are skipped"
fi

echo "== yardsticks"
"$top_builddir/bench/bench_sgemm"
echo "   machine: $(nproc) cores, $(free_mem_gb) GB available, $(free_disk_gb) GB free disk"

# run_log LABEL LOG ITEMS EPOCHS: every step on one log.
run_log()
{
	label=$1 log=$2 items=$3 ep=$4
	db="$out/$label.db"
	user=$(head -n 1 "$log" | cut -d, -f1)
	epochs=""
	[ -n "$ep" ] && epochs="--epochs $ep"
	echo "== $label: $(wc -l <"$log" | tr -d ' ') rows"
	echo "   yardstick: $("$top_builddir/bench/bench_import" --rate "$log" 1)"
	step "$label import" "$db" "import --format taobao $log"
	[ -n "$items" ] && step "$label import-items" "$db" "import-items $items"
	step "$label split" "$db" "split temporal 0.2 --valid 0.1"
	step "$label train pop" "$db" "train pop"
	step "$label train itemknn" "$db" "train itemknn"
	step "$label train als" "$db" "train als $epochs"
	step "$label train bpr" "$db" "train bpr $epochs"
	step "$label train ease" "$db" "train ease"
	step "$label eval" "$db" "eval"
	step "$label fuse weighted" "$db" "fuse weighted"
	step "$label tune" "$db" "tune"
	step "$label recommend" "$db" "recommend $user --model fused"
	step "$label explain" "$db" "explain $user"
	rm -f "$db" "$db"-* "$log" "$items"
}

for size in $SCALE_ROWS; do
	rows=$(rows_of "$size")
	# a log ~36 bytes a row, a store ~2.5 times that, twice over; the
	# largest step holds about 80 bytes a row
	need_disk=$((rows / 1000000 * 36 * 4 / 1000 + 2))
	need_mem=$((rows / 1000000 * 80 / 1000 + 2))
	if [ "$(free_disk_gb)" -lt "$need_disk" ] ||
	    [ "$(free_mem_gb)" -lt "$need_mem" ]; then
		echo "== $size: skipped (needs about $need_disk GB of disk and" \
		    "$need_mem GB of memory; $(free_disk_gb) and $(free_mem_gb) free)"
		continue
	fi
	t0=$(date +%s)
	if [ "$rows" -le 10000000 ]; then
		"$GEN" --seed 5 --users $((rows / 100)) --items $((rows / 10)) \
		    --categories 5000 --rows "$rows" -o "$out/gen.csv" \
		    -i "$out/gen-items.tsv" || exit 1
		run_log "gen-$size" "$out/gen.csv" "$out/gen-items.tsv" ""
	else
		"$GEN" --seed 9 --users 1000000 --items 4000000 \
		    --categories 10000 --rows "$rows" -o "$out/gen.csv" \
		    -i "$out/gen-items.tsv" || exit 1
		run_log "gen-$size" "$out/gen.csv" "$out/gen-items.tsv" \
		    "$SCALE_EPOCHS"
	fi
	if [ -n "$uniform" ]; then
		"$uniform" "$rows" >"$out/uniform.csv" || exit 1
		run_log "uniform-$size" "$out/uniform.csv" "" "$SCALE_EPOCHS"
	fi
	echo "== $size: $(( $(date +%s) - t0 )) s in all"
done
