#!/usr/bin/env python3
"""check-layers.py - the layering of src/ that the build relies on, checked.

Reads every `#include "x.h"` of every .c and .h file under src/, maps each
header to the folder (layer) that holds it, and fails, naming the file and
line, when:
  - a folder includes a header of a folder it may not depend on (the allowed
    direction is in ALLOWED below, docs/architecture.md);
  - the folders include each other in a cycle;
  - a .c or .h file under src/ is longer than MAX_LINES lines;
  - a header named *_internal.h is included outside its own folder (it is
    that folder's private state, e.g. engine/node_internal.h);
  - a header name is held by two folders (the include would be ambiguous).
Headers that are not in src/ (system headers in quotes, generated ones) are
not the layers' business and are passed over.

Usage: check-layers.py [SRC_DIR]   (default: the src/ beside this script's
folder). Exit status 0 when all holds, 1 with one line per problem.
Standard library only: it runs in CI as a meson test of the unit suite.
"""
import os
import re
import sys

MAX_LINES = 800

# What each folder may include besides itself, lowest layer first:
#   base <- format <- store <- engine <- {net, api} <- liaisond.c
#   base <- format <- verify <- cli
# "liaisond" stands for the daemon's main, src/liaisond.c.
ALLOWED = {
    "base": set(),
    "format": {"base"},
    "store": {"base", "format"},
    "engine": {"base", "format", "store"},
    "net": {"base", "format", "store", "engine"},
    "api": {"base", "format", "store", "engine"},
    "liaisond": {"base", "format", "store", "engine", "net", "api"},
    "verify": {"base", "format"},
    "cli": {"base", "format", "verify"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def folder_of(rel):
    """The layer of a path relative to src/: its first folder, or 'liaisond' for src/liaisond.c."""
    parts = rel.split("/")
    return parts[0] if len(parts) > 1 else os.path.splitext(parts[0])[0]


def sources(src):
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".c", ".h")):
                path = os.path.join(root, name)
                yield os.path.relpath(path, src).replace(os.sep, "/")


def find_cycles(edges):
    """Strongly connected components of more than one folder (Tarjan), each sorted."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    nodes = sorted({a for a, _ in edges} | {b for _, b in edges})
    succ = {n: sorted({b for a, b in edges if a == n}) for n in nodes}

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for n in nodes:
        if n not in index:
            visit(n)
    return out


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    src = argv[1] if len(argv) > 1 else os.path.join(here, "..", "src")
    src = os.path.normpath(src)
    problems = []
    files = list(sources(src))
    if not files:
        print(f"check-layers: no .c or .h file under {src}")
        return 1

    owner = {}
    for rel in files:
        if rel.endswith(".h"):
            name = os.path.basename(rel)
            if name in owner:
                problems.append(f"src/{rel}: header name {name} is also src/{owner[name]}")
            else:
                owner[name] = rel

    edges = {}  # (from folder, to folder) -> first "file:line" that makes it
    for rel in files:
        here_folder = folder_of(rel)
        with open(os.path.join(src, rel), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        n_lines = len(lines) - (1 if lines and lines[-1] == "" else 0)
        if n_lines > MAX_LINES:
            problems.append(f"src/{rel}: {n_lines} lines, more than {MAX_LINES}: split it by concept")
        for no, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = owner.get(os.path.basename(m.group(1)))
            if target is None:
                continue
            to = folder_of(target)
            if to == here_folder:
                continue
            if target.endswith("_internal.h"):
                problems.append(f"src/{rel}:{no}: {m.group(1)} is private to {to}/ (src/{target})")
            edges.setdefault((here_folder, to), f"src/{rel}:{no}")
            allowed = ALLOWED.get(here_folder)
            if allowed is None:
                problems.append(f"src/{rel}:{no}: folder {here_folder}/ is not a known layer")
            elif to not in allowed:
                problems.append(f"src/{rel}:{no}: {here_folder}/ may not include {m.group(1)} "
                                f"(src/{target}, layer {to}/): {here_folder}/ may use only "
                                f"{', '.join(sorted(allowed)) or 'nothing else'}")

    for comp in find_cycles(set(edges)):
        inner = sorted(e for e in edges if e[0] in comp and e[1] in comp)
        where = "; ".join(f"{a} -> {b} at {edges[(a, b)]}" for a, b in inner)
        problems.append(f"include cycle between folders {', '.join(comp)}: {where}")

    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} problem(s) in {len(files)} files under {src}")
        return 1
    print(f"check-layers: {len(files)} files, {len(edges)} folder dependencies, all in the allowed direction")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
