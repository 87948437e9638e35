#!/bin/sh
# recfuse(1) cannot drift from the program: the page lists every command
# of the command table (and no other) with its usage, every model of the
# registry, the options of --help; the built recfuse.1 is what `recfuse
# --man` writes; groff renders it without a warning; and each JSON
# example of the page has the keys the command really prints (run on
# samples/tiny.csv).  --version names the libraries.
set -u
. "${top_srcdir:-.}/tests/lib/lib.sh"
export OPENBLAS_NUM_THREADS=1
command -v python3 >/dev/null 2>&1 || { echo "SKIP - no python3"; exit 77; }

run_ok "--man writes the page" "$RECFUSE" --man
cp "$tmp/out" "$tmp/recfuse.1"
if [ -f "${top_builddir:-.}/recfuse.1" ]; then
	check "the built recfuse.1 is the program's page" \
	    cmp "${top_builddir:-.}/recfuse.1" "$tmp/recfuse.1"
fi
run_ok "help as JSON" "$RECFUSE" "$tmp/h.db" -o json -e help
json_ok "help lists the commands" "$tmp/out" "len(docs[0]['commands']) > 20"
cp "$tmp/out" "$tmp/help.json"

# The page's sections, from its roff source (\- is '-', \e '\').
cat > "$tmp/sections.py" <<'PY'
import json, re, sys
page = open(sys.argv[1], encoding='utf-8').read()
def unroff(s):
    return s.replace('\\-', '-').replace('\\e', '\\').replace('\\&', '')
def section(name):
    m = re.search(r'^\.SH %s\n(.*?)(?=^\.SH )' % name, page, re.M | re.S)
    return m.group(1) if m else ''
def tags(text):
    return [unroff(t) for t in re.findall(r'^\.TP\n\.B (.*)$', text, re.M)]
what = sys.argv[2]
if what == 'commands':
    table = [c['command'] for c in
             json.loads(open(sys.argv[3]).read())['commands']]
    usages = tags(section('COMMANDS'))
    named = [u.split()[0] for u in usages]
    if named != table:
        print('page:', named, '\ntable:', table)
        sys.exit(1)
elif what == 'models':
    names = sys.argv[3].split(', ')
    if tags(section('MODELS')) != names:
        print('page:', tags(section('MODELS')), 'registry:', names)
        sys.exit(1)
elif what == 'options':
    helptext = open(sys.argv[3]).read()
    for t in tags(section('OPTIONS')):
        if t not in helptext:
            print('option not in --help:', t)
            sys.exit(1)
    if len(tags(section('OPTIONS'))) < 10:
        sys.exit(1)
elif what == 'examples':
    for m in re.finditer(r"^\.EX\n\$ recfuse STORE \\-o json \\-e '(.*)'\n"
                         r"(.*)\n\.EE$", page, re.M):
        print(unroff(m.group(1)) + '\t' + unroff(m.group(2)))
PY
check "the page lists every command of the table, in its order" \
    python3 "$tmp/sections.py" "$tmp/recfuse.1" commands "$tmp/help.json"
run_ok "help train names the models" "$RECFUSE" "$tmp/h.db" -e "help train"
models=$(sed -n 's/^Models: \(.*\)\.$/\1/p' "$tmp/out")
check "the page lists every model of the registry" \
    python3 "$tmp/sections.py" "$tmp/recfuse.1" models "$models"
"$RECFUSE" --help > "$tmp/help.txt"
check "the page's options are those of --help" \
    python3 "$tmp/sections.py" "$tmp/recfuse.1" options "$tmp/help.txt"
check "the page has ENVIRONMENT, FILES, EXIT STATUS and EXAMPLES" \
    sh -c "grep -q '^.SH ENVIRONMENT' '$tmp/recfuse.1' &&
    grep -q '^.B NO_COLOR' '$tmp/recfuse.1' &&
    grep -q '^.B OPENBLAS_NUM_THREADS' '$tmp/recfuse.1' &&
    grep -q '^.SH FILES' '$tmp/recfuse.1' &&
    grep -q '^.SH EXIT STATUS' '$tmp/recfuse.1' &&
    grep -q '^.SH EXAMPLES' '$tmp/recfuse.1'"
if command -v groff >/dev/null 2>&1; then
	groff -man -Tutf8 -ww -z "$tmp/recfuse.1" > "$tmp/groff.err" 2>&1
	check "groff renders the page without a warning" \
	    sh -c "[ ! -s '$tmp/groff.err' ]"
	sed 's/^/  | /' "$tmp/groff.err" | head -5
	# Installed under a long prefix (make distcheck's is one), the
	# paths of FILES are long unbreakable words: still no warning.
	long=/tmp/recfuse-distcheck.AbCdEf/recfuse-0.1.0/_build/sub/../../_inst
	sed "s#/usr/local/#$long/#g" "$tmp/recfuse.1" > "$tmp/long.1"
	groff -man -Tutf8 -ww -z "$tmp/long.1" > "$tmp/groff.err" 2>&1
	check "groff renders the page of a long install prefix without a warning" \
	    sh -c "[ ! -s '$tmp/groff.err' ]"
	sed 's/^/  | /' "$tmp/groff.err" | head -5
fi

run_ok "--version" "$RECFUSE" --version
expect_out "--version: the version" "^recfuse [0-9]"
expect_out "--version: SQLite" "^SQLite [0-9]"
expect_out "--version: ncurses" "^ncurses [0-9]"
expect_out "--version: readline" "^GNU Readline [0-9]"
expect_out "--version: OpenBLAS" "^OpenBLAS [0-9]"

# Each JSON example of the page against the real document: the same
# keys at the top, in each record and in a table's rows.
python3 "$tmp/sections.py" "$tmp/recfuse.1" examples > "$tmp/examples"
check "the page has JSON examples" [ "$(grep -c . "$tmp/examples")" -ge 6 ]
cd "$tmp" || exit 1
run_ok "a store for the examples" "$RECFUSE" ex.db -e "import \
    $top_srcdir/samples/tiny.csv; split temporal 0.2 --valid 0.2; \
    train ease; train itemknn; fuse weighted"
# Two-factor tables for the import example (uf, itf), by hand.
printf '{"id": 1, "features": [1, 0]}\n{"id": 2, "features": [0, 1]}\n' > uf
awk -F, '{ print $2 }' "$top_srcdir/samples/tiny.csv" | sort -u |
    awk '{ printf "{\"id\": %s, \"features\": [%d, %d]}\n", $1, NR % 2, 1 - NR % 2 }' > itf
while IFS='	' read -r line doc; do
	"$RECFUSE" ex.db -o json -e "$line" > "$tmp/real.json" 2>"$tmp/err"
	printf '%s\n' "$doc" > "$tmp/example.json"
	json_ok "the example of '$line' parses" "$tmp/example.json"
	json_ok "'$line' prints a document" "$tmp/real.json" "docs[0]['ok']"
	check "'$line': the example's keys are the program's" python3 -c '
import json, sys
ex = json.loads(open(sys.argv[1]).read())
real = json.loads(open(sys.argv[2]).read())
def shape(d):
    out = {"": sorted(d)}
    for k, v in d.items():
        if isinstance(v, dict):
            out[k] = sorted(v)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            out[k] = sorted(v[0])
    return out
if shape(ex) != shape(real):
    print("example:", shape(ex), "\nprogram:", shape(real))
    sys.exit(1)' "$tmp/example.json" "$tmp/real.json"
done < "$tmp/examples"
finish
