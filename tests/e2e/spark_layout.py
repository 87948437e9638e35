#!/usr/bin/env python3
"""spark_layout: factor tables rewritten as Spark MLlib writes them.

  spark_layout.py IN_DIR OUT_DIR [PARTS]

IN_DIR holds userFactors/ and itemFactors/ as `export factors` wrote them
(JSON lines {"id": .., "features": [..]}).  Each table goes to OUT_DIR in
the layout of ALSModel.userFactors.write.json(path) on a local file
system: PARTS part files (default 4) named
part-0000N-<uuid>-c000.json, the rows spread over them in a shuffled
order (as hash partitions leave them), compact JSON with integer ids and
each float in its shortest form that reads back as the same float32 (as
Java's Float.toString writes it), a .crc checksum beside each part and an
empty _SUCCESS.  Standard library only.
"""
import json
import os
import random
import struct
import sys
import uuid
import zlib


def float32_text(x):
    """The shortest decimal that reads back as the float32 of x."""
    f = struct.unpack('f', struct.pack('f', x))[0]
    for digits in range(1, 10):
        s = '%.*g' % (digits, f)
        if struct.unpack('f', struct.pack('f', float(s)))[0] == f:
            break
    if 'e' not in s and '.' not in s:
        s += '.0'
    return s


def write_table(rows, out, parts, rng):
    os.makedirs(out)
    rng.shuffle(rows)
    job = uuid.UUID(int=rng.getrandbits(128))
    for p in range(parts):
        name = 'part-%05d-%s-c000.json' % (p, job)
        text = ''.join(
            '{"id":%d,"features":[%s]}\n' %
            (r['id'], ','.join(float32_text(v) for v in r['features']))
            for r in rows[p::parts])
        with open(os.path.join(out, name), 'w') as f:
            f.write(text)
        # Hadoop's local file system leaves a checksum file beside.
        with open(os.path.join(out, '.%s.crc' % name), 'wb') as f:
            f.write(b'crc\0' + struct.pack('>I', zlib.crc32(text.encode())))
    open(os.path.join(out, '_SUCCESS'), 'w').close()
    open(os.path.join(out, '._SUCCESS.crc'), 'wb').close()


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, dst = sys.argv[1], sys.argv[2]
    parts = int(sys.argv[3]) if len(sys.argv) == 4 else 4
    rng = random.Random(7)
    for table in ('userFactors', 'itemFactors'):
        rows = []
        folder = os.path.join(src, table)
        for name in sorted(os.listdir(folder)):
            if not name.startswith('part-'):
                continue
            with open(os.path.join(folder, name)) as f:
                rows += [json.loads(line) for line in f if line.strip()]
        if not rows:
            print('spark_layout: no rows in %s' % folder, file=sys.stderr)
            return 1
        write_table(rows, os.path.join(dst, table), parts, rng)
    return 0


if __name__ == '__main__':
    sys.exit(main())
