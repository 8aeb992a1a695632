#!/usr/bin/env bash
# Builds the release tree like scripts/build.sh (build/, or $SUANLI_BUILD_DIR)
# and runs suanli-bench: a 3-node cluster of real suanlid processes on this
# machine against the Ed25519 verification bound measured in the same run.
# Writes bench/results.json and bench/RESULTS.md (or --out DIR).
#
#   scripts/bench.sh [--quick] [suanli-bench flags...]
#
# --quick takes about 1-2 minutes on 2 cores (at most 5); the full run at most 20.
# Run it on an otherwise idle machine: other heavy jobs distort every figure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SUANLI_BUILD_DIR:-$root/build}
jobs=${SUANLI_JOBS:-2}
# etcd is the peer the no-signature mode is measured against.
"$root/scripts/setup.sh" etcd-server
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" -j "$jobs" suanlid suanli-bench

if busy=$(pgrep -fa 'ninja|ctest|_tests'); then
  echo "warning: other heavy jobs are running; the figures will be distorted:" >&2
  echo "$busy" >&2
fi

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit+modified"
fi
exec "$build/tools/suanli-bench" --suanlid "$build/node/suanlid" --out "$root/bench" \
  --commit "$commit" "$@"
