#!/usr/bin/env python3
"""house: checks the rules of docs/ARCHITECTURE.md on the source tree.

  1. SQL only in engine/store/: no `sqlite3` outside it (tests and
     benches included).
  2. Imports point down: engine/ includes nothing of views/ or app/,
     views/ nothing of app/; inside engine/ a folder includes only its own
     level or lower ones (session > explain > fusion > train > eval >
     models > data, ingest > store > core; data and ingest never each
     other).
  3. No two files call each other, directly or round a longer circle
     (a call: a function defined without `static` in one .c file, named
     with a '(' in another).
  4. No model name is written as a string outside engine/models/.

Prints one line per breach and exits 1 when there is any.
"""
import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else '.'
LEVEL = {'core': 0, 'store': 1, 'ingest': 2, 'data': 2, 'models': 3,
         'eval': 4, 'train': 5, 'fusion': 6, 'explain': 7, 'session': 8}
breaches = []


def sources(*dirs, exts=('.c', '.h')):
    for d in dirs:
        for root, _, files in os.walk(os.path.join(top, d)):
            for f in sorted(files):
                if f.endswith(exts):
                    path = os.path.join(root, f)
                    yield os.path.relpath(path, top), open(
                        path, encoding='utf-8', errors='replace').read()


def strip(code, keep_strings=False):
    """Code without comments (and without string literals unless asked)."""
    out, i, n = [], 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith('/*', i):
            j = code.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append('\n' * code.count('\n', i, j))
            i = j
        elif code.startswith('//', i):
            j = code.find('\n', i)
            i = n if j < 0 else j
        elif c in '"\'':
            j = i + 1
            while j < n and code[j] != c:
                j += 2 if code[j] == '\\' else 1
            out.append(code[i:j + 1] if keep_strings else c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


all_files = list(sources('engine', 'app', 'views', 'tests', 'bench',
                         'samples'))

# 1. SQL only in engine/store/
for path, code in all_files:
    if path.startswith('engine/store/'):
        continue
    for no, line in enumerate(code.split('\n'), 1):
        if 'sqlite3' in line:
            breaches.append(f'{path}:{no}: sqlite3 outside engine/store/')

# 2. includes point down
inc_re = re.compile(r'^#\s*include\s+"([^"]+)"', re.M)
for path, code in all_files:
    parts = path.split('/')
    for m in inc_re.finditer(code):
        inc = m.group(1)
        no = code.count('\n', 0, m.start()) + 1
        if parts[0] == 'engine' and inc.startswith(('views/', 'app/')):
            breaches.append(f'{path}:{no}: engine includes {inc}')
        if parts[0] == 'views' and inc.startswith('app/'):
            breaches.append(f'{path}:{no}: views include {inc}')
        if parts[0] == 'engine' and inc.startswith('engine/'):
            a, b = parts[1], inc.split('/')[1]
            if a == b or a not in LEVEL or b not in LEVEL:
                continue
            if LEVEL[b] > LEVEL[a] or (LEVEL[b] == LEVEL[a]):
                breaches.append(f'{path}:{no}: engine/{a} includes '
                                f'{inc} (engine/{b} is not below it)')

# 3. no circles of calls between files
code_files = [(p, strip(c)) for p, c in all_files
              if p.endswith('.c') and p.split('/')[0] in
              ('engine', 'app', 'views')]
def_re = re.compile(r'^([A-Za-z_]\w*)\(', re.M)
defined = {}
for path, code in code_files:
    lines = code.split('\n')
    for m in def_re.finditer(code):
        no = code.count('\n', 0, m.start())
        # the type line above; a body must follow
        type_line = lines[no - 1] if no > 0 else ''
        rest = code[m.end():m.end() + 2000]
        close = rest.find(')')
        after = rest[close + 1:].lstrip() if close >= 0 else ''
        if type_line.startswith('static') or not after.startswith('{') \
                and not re.match(r'^[A-Za-z_]', after):
            continue
        if after.startswith('{') or re.match(r'^[A-Za-z_][^;{]*\{', after):
            defined.setdefault(m.group(1), path)
calls = {p: set() for p, _ in code_files}
call_re = re.compile(r'\b([A-Za-z_]\w*)\s*\(')
for path, code in code_files:
    for m in call_re.finditer(code):
        callee = defined.get(m.group(1))
        if callee is not None and callee != path:
            calls[path].add(callee)
# strongly connected components (Tarjan)
index, low, onstack, stack, sccs = {}, {}, set(), [], []
counter = [0]
sys.setrecursionlimit(10000)


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    onstack.add(v)
    for w in sorted(calls.get(v, ())):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in onstack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            onstack.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


for v in sorted(calls):
    if v not in index:
        visit(v)
for comp in sccs:
    ties = []
    for a in comp:
        for b in comp:
            if b in calls[a]:
                names = sorted(n for n, p in defined.items() if p == b and
                               re.search(r'\b%s\s*\(' % re.escape(n),
                                         dict(code_files)[a]))
                ties.append(f'{a} -> {b} ({", ".join(names[:4])})')
    breaches.append('files that call each other: ' + '; '.join(ties))

# 4. model names as strings only in engine/models/
names = set()
for path, code in all_files:
    if path.startswith('engine/models/'):
        names.update(re.findall(r'^\s*\.name\s*=\s*"([^"]+)"', code, re.M))
if not names:
    breaches.append('no model names found in engine/models/ (.name = "x")')
word = re.compile(r'\b(%s)\b' % '|'.join(sorted(map(re.escape, names))))
str_re = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
for path, code in all_files:
    if path.startswith('engine/models/') or \
            path.split('/')[0] not in ('engine', 'app', 'views'):
        continue
    text = strip(code, keep_strings=True)
    for m in str_re.finditer(text):
        hit = word.search(m.group(1))
        if hit:
            no = text.count('\n', 0, m.start()) + 1
            breaches.append(f'{path}:{no}: model name "{hit.group(1)}" in '
                            f'a string: "{m.group(1)[:60]}"')

for b in breaches:
    print(b)
print(f'house: {len(breaches)} breach(es) of the rules in '
      f'{len(all_files)} files')
sys.exit(1 if breaches else 0)
