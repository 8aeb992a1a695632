#!/usr/bin/env bash
# Chaos under load: a 3- or 5-node cluster of real suanlid processes whose
# peer links pass through a fault-injecting proxy, with kill -9 (the leader
# too), pauses (SIGSTOP/SIGCONT), partitions (a minority or the leader alone),
# one-way partitions and slow links, while clients record every transaction
# acknowledged as committed; at the end each must be committed on every node,
# every node must serve, the state hashes be equal and money conserved
# (tools/chaos.cc).
#
#   scripts/chaos.sh [--quick | SECONDS] [--seed N] [--nodes 3|5]
#
# --quick: 45 s of faults on 3 nodes, seed 1 (CI runs it); the default is
# 300 s with a seed from the clock. Prints a summary line; exits non-zero on
# any loss, divergence or crash, keeping the logs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SUANLI_BUILD_DIR:-$root/build}
seconds=300
seed=$(date +%s)
nodes=3
usage="usage: scripts/chaos.sh [--quick | SECONDS] [--seed N] [--nodes 3|5]"
while (($#)); do
  case $1 in
    --quick) seconds=45; seed=1 ;;
    --seed) seed=${2:?$usage}; shift ;;
    --nodes) nodes=${2:?$usage}; shift ;;
    [0-9]*) seconds=$1 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" -j "${SUANLI_JOBS:-2}" suanlid suanli-chaos >/dev/null
exec "$build/tools/suanli-chaos" --suanlid "$build/node/suanlid" --seconds "$seconds" \
  --seed "$seed" --nodes "$nodes"
