#!/bin/sh
# setup.sh: one step from a fresh Debian clone to a running recfuse.
#
#   ./setup.sh run    install what is missing, build, make the demo store
#                     from samples/ and open recfuse on it (the default)
#   ./setup.sh test   install what is missing, build, run every test and
#                     print "N passed, N failed"
#   ./setup.sh build  install what is missing and build
#
# Run as root or with sudo (apt-get installs the build dependencies).
set -eu
cd "$(dirname "$0")"
top=$(pwd)

DEPS="build-essential autoconf automake pkg-config libsqlite3-dev
libncurses-dev libreadline-dev libopenblas-dev liblapacke-dev tmux"

install_deps() {
	missing=""
	for p in $DEPS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "setup: installing$missing"
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null
}

build() {
	if [ ! -x configure ] || [ configure.ac -nt configure ]; then
		autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
	fi
	if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
		./configure -q
	fi
	make -s -j"$(nproc 2>/dev/null || echo 2)" all
}

# The demo: a generated Taobao-style log with readable item names.  The
# first time, recfuse plays samples/demo.rf in the TUI (import, split, five
# models trained live, fusion tuned); later runs open the store as it is.
demo_run() {
	if [ ! -f demo.db ]; then
		mkdir -p demo
		samples/gen-taobao --seed 7 --users 1500 --items 2500 \
		    --rows 80000 -o demo/demo.csv -i demo/demo-items.tsv
		exec ./recfuse demo.db --init samples/demo.rf
	fi
	exec ./recfuse demo.db
}

summarise() {
	# Count the automake harness's results: every .trs under the tree.
	pass=0 fail=0 skip=0
	for f in $(find . -name '*.trs' 2>/dev/null); do
		r=$(sed -n 's/^:test-result: //p' "$f" | head -n 1)
		case "$r" in
		PASS|XFAIL) pass=$((pass + 1)) ;;
		SKIP) skip=$((skip + 1)) ;;
		*) fail=$((fail + 1)); echo "FAILED: ${f%.trs}" ;;
		esac
	done
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
}

what=${1:-run}
case "$what" in
run)
	install_deps
	build
	demo_run
	;;
test)
	install_deps
	build
	find . -name '*.trs' -delete 2>/dev/null || true
	status=0
	make -s -j2 check >/dev/null 2>&1 || status=$?
	if [ "$status" -ne 0 ] && [ -f test-suite.log ]; then
		sed -n '/^FAIL\|^ERROR/,+40p' test-suite.log | head -n 200
	fi
	summarise
	;;
build)
	install_deps
	build
	;;
*)
	echo "usage: ./setup.sh [run|test|build]" >&2
	exit 2
	;;
esac
