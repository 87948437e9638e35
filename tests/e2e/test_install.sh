#!/bin/sh
# `make install DESTDIR=...` installs the program, its manual page and the
# samples (the logs, the demo script, the generator), the installed
# program runs on an installed sample, and `make uninstall` takes every
# file away again.
set -u
. "${top_srcdir:-.}/tests/lib/lib.sh"
command -v make >/dev/null 2>&1 || { echo "SKIP - no make"; exit 77; }
builddir=${top_builddir:-.}
root="$tmp/root"

# A make of its own, outside the one running the tests.
run_ok "make install DESTDIR" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s -C "$builddir" install DESTDIR="$root"
bin=$(find "$root" -path '*/bin/recfuse' -type f | head -n 1)
page=$(find "$root" -path '*/man1/recfuse.1' -type f | head -n 1)
tiny=$(find "$root" -path '*/recfuse/samples/tiny.csv' -type f | head -n 1)
check "the program is installed" [ -n "$bin" ] && [ -x "$bin" ]
check "the manual page is installed" [ -n "$page" ]
check "the samples are installed" [ -n "$tiny" ]
for f in tiny-items.tsv demo.rf README.md; do
	check "samples/$f is installed" \
	    [ -f "$(dirname "${tiny:-/nonexistent}")/$f" ]
done
check "the generator is installed" \
    sh -c "find '$root' -path '*/recfuse/gen-taobao' -type f -perm -u+x | grep -q ."
run_ok "the installed program runs" "${bin:-false}" --version
expect_out "it says its version" "^recfuse [0-9]"
run_ok "the installed program imports an installed sample" "${bin:-false}" \
    "$tmp/s.db" -e "import ${tiny:-none}; stats"
expect_out "the sample's events" "^events  *54$"
check "the installed page is the program's" \
    sh -c "'${bin:-false}' --man | cmp -s - '${page:-none}'"
if command -v man >/dev/null 2>&1; then
	check "man reads the installed page" \
	    sh -c "MANWIDTH=80 man -l '${page:-none}' 2>/dev/null | grep -q 'import-model'"
fi
run_ok "make uninstall DESTDIR" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s -C "$builddir" uninstall DESTDIR="$root"
check "uninstall leaves no file" \
    sh -c "[ -z \"\$(find '$root' -type f)\" ]"
finish
