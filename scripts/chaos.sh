#!/usr/bin/env bash
# Chaos under load: a 3-node cluster of real suanlid processes with kill -9
# (the leader too) and pauses (SIGSTOP/SIGCONT) while clients record every
# transaction acknowledged as committed; at the end each must be committed on
# every node, the state hashes equal and money conserved (tools/chaos.cc).
#
#   scripts/chaos.sh [--quick | SECONDS] [--seed N]
#
# --quick: 40 s of faults (CI runs it); the default is 300 s. Exits non-zero
# on any loss, divergence or crash, keeping the logs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SUANLI_BUILD_DIR:-$root/build}
seconds=300
seed=$(date +%s)
while (($#)); do
  case $1 in
    --quick) seconds=40; seed=1 ;;
    --seed) seed=$2; shift ;;
    [0-9]*) seconds=$1 ;;
    *) echo "usage: scripts/chaos.sh [--quick | SECONDS] [--seed N]" >&2; exit 2 ;;
  esac
  shift
done
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" -j "${SUANLI_JOBS:-2}" suanlid suanli-chaos >/dev/null
exec "$build/tools/suanli-chaos" --suanlid "$build/node/suanlid" --seconds "$seconds" --seed "$seed"
