#!/bin/sh
# build.sh SRC OUT - installs web/'s pinned npm packages when missing
# (npm ci: exactly package-lock.json) and builds the console into OUT.
set -eu
src=$1 out=$2
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
cd "$src"
if [ ! -d node_modules/d3-geo ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error >&2
fi
exec node build.mjs "$src" "$out"
