#!/usr/bin/env python3
"""check_layers.py SRC_DIR - the layering of src/ (docs/architecture.md), checked.

Every #include "x.h" of a file in src/<layer>/ must name a header of a layer
that layer may use (the table below: the direction base <- format <- store <-
engine <- {net, api} <- liaisond, and base <- format <- verify <- cli), so no
include cycle between folders can exist; a *_internal.h only from its own
folder; and no file of engine/ or net/ over MAX_LINES lines. Exit 1 with one
line per violation. The Meson libraries enforce the same for the build; this
check also covers what a test or fuzz target compiles with every folder on
its include path.
"""
import os
import re
import sys

MAY_USE = {
    'base': {'base'},
    'format': {'base', 'format'},
    'store': {'base', 'format', 'store'},
    'engine': {'base', 'format', 'store', 'engine'},
    'net': {'base', 'format', 'store', 'engine', 'net'},
    'api': {'base', 'format', 'store', 'engine', 'api'},
    'verify': {'base', 'format', 'verify'},
    'cli': {'base', 'format', 'verify', 'cli'},
    '.': {'base', 'format', 'store', 'engine', 'net', 'api'},  # liaisond.c: wiring
}
MAX_LINES = 800
SIZE_CHECKED = {'engine', 'net'}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main(src):
    where = {}  # header name -> folder
    files = []
    for folder in MAY_USE:
        path = os.path.join(src, folder)
        for name in sorted(os.listdir(path)):
            if name.endswith('.h') and folder != '.':
                if name in where:
                    print(f'{name}: in both src/{where[name]} and src/{folder}')
                    return 1
                where[name] = folder
            if name.endswith(('.c', '.h')):
                files.append((folder, os.path.join(path, name)))
    bad = []
    for folder, path in files:
        rel = os.path.relpath(path, src)
        with open(path, encoding='utf-8') as f:
            lines = f.readlines()
        if folder in SIZE_CHECKED and len(lines) > MAX_LINES:
            bad.append(f'src/{rel}: {len(lines)} lines, over {MAX_LINES}: split it by concept')
        for n, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            header = m.group(1)
            owner = where.get(header)
            if owner is None:
                bad.append(f'src/{rel}:{n}: "{header}" is no header of src/')
            elif owner not in MAY_USE[folder]:
                bad.append(f'src/{rel}:{n}: src/{folder} may not include "{header}" '
                           f'(src/{owner}): it may use {", ".join(sorted(MAY_USE[folder]))}')
            elif header.endswith('_internal.h') and owner != folder:
                bad.append(f'src/{rel}:{n}: "{header}" is private to src/{owner}')
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        print('usage: check_layers.py SRC_DIR', file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
