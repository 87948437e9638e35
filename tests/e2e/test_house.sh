#!/bin/sh
# The house rules of docs/ARCHITECTURE.md hold on the source tree: SQL
# only in engine/store/, imports pointing down, no two files calling each
# other, no model name written outside engine/models/ (tests/lib/house.py).
: "${top_srcdir:=.}"
command -v python3 >/dev/null 2>&1 || { echo "test_house: no python3"; exit 77; }
exec python3 "$top_srcdir/tests/lib/house.py" "$top_srcdir"
