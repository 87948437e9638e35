#!/usr/bin/env python3
"""jsonlines: checks the -o json output of recfuse, one document a line.

  jsonlines.py FILE [EXPR]

Every line of FILE must parse with json.loads (a strict parser: no NaN,
no trailing commas, one value a line) into an object with "command" (a
string) and "ok" (true or false); no line may be empty.  EXPR, when
given, is a Python expression over `docs` (the list of documents) that
must be true, e.g. "docs[0]['eval'][0]['model'] == 'fused'".  Prints
what is wrong and exits 1; exits 0 when all is well.
"""
import json
import sys


def reject(token):
    raise ValueError('not JSON: %s' % token)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    docs = []
    with open(sys.argv[1], encoding='utf-8') as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    if not lines:
        print('jsonlines: no document')
        return 1
    for no, line in enumerate(lines, 1):
        try:
            doc = json.loads(line, parse_constant=reject)
        except ValueError as e:
            print('jsonlines: line %d: %s: %.200s' % (no, e, line))
            return 1
        if not isinstance(doc, dict) or \
                not isinstance(doc.get('command'), str) or \
                not isinstance(doc.get('ok'), bool):
            print('jsonlines: line %d: not a command document: %.200s' %
                  (no, line))
            return 1
        docs.append(doc)
    if len(sys.argv) == 3:
        try:
            ok = eval('(' + sys.argv[2] + '\n)', {'docs': docs})
        except Exception as e:
            print('jsonlines: %s: %r' % (sys.argv[2], e))
            return 1
        if not ok:
            print('jsonlines: false: %s' % sys.argv[2])
            for d in docs:
                print('  %.300s' % json.dumps(d))
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
