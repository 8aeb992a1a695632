#!/usr/bin/env bash
# Configures and builds the release tree in build/ (or $SUANLI_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SUANLI_BUILD_DIR:-$root/build}
jobs=${SUANLI_JOBS:-2}
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
ninja -C "$build" -j "$jobs"
