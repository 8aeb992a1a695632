#!/usr/bin/env bash
# Runs N seeds of the deterministic Raft simulator and prints failing seeds.
#   scripts/sim.sh N [FIRST_SEED]
# Replay one seed with a trace: build-sim/tests/consensus/suanli-sim --seed S --trace
set -euo pipefail
n="${1:-1000}"
first="${2:-1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${SUANLI_SIM_BUILD_DIR:-$root/build-sim}"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSUANLI_PURE_ONLY=ON >/dev/null
fi
ninja -C "$build" -j2 suanli-sim >/dev/null
sim="$build/tests/consensus/suanli-sim"
# Chunks keep going after a seed that aborts (a failed assertion in the core).
chunk=500
status=0
for ((chunk_start = first; chunk_start < first + n; chunk_start += chunk)); do
  start=$chunk_start
  count=$(( first + n - start < chunk ? first + n - start : chunk ))
  while true; do
    # A chunk that runs past its limit has a seed that never ends: a hang is a failure too.
    out="$(timeout "${SUANLI_SIM_CHUNK_TIMEOUT:-600}" "$sim" --from "$start" --count "$count" 2>/dev/null)" && rc=0 || rc=$?
    echo "$out" | grep '^FAIL' || true
    if [[ $rc -eq 124 ]]; then
      # Name the seed that hangs: run this chunk's seeds one at a time.
      status=1
      for ((s = start; s < start + count; s++)); do
        one="$(timeout "${SUANLI_SIM_SEED_TIMEOUT:-60}" "$sim" --from "$s" --count 1 2>/dev/null)" && r=0 || r=$?
        if [[ $r -eq 124 ]]; then
          echo "FAIL seed $s (ran past ${SUANLI_SIM_SEED_TIMEOUT:-60} s)"
        elif [[ $r -ne 0 ]]; then
          echo "$one" | grep '^FAIL' || echo "FAIL seed $s (exit $r)"
        fi
      done
      break
    fi
    if [[ $rc -eq 0 || $rc -eq 1 ]]; then
      [[ $rc -eq 1 ]] && status=1
      break
    fi
    # Aborted: resume after the aborting seed, within this chunk.
    status=1
    last="$(echo "$out" | grep -o 'FAIL seed [0-9]* (abort)' | tail -1 | grep -o '[0-9]*' || true)"
    [[ -z "$last" ]] && { echo "simulator crashed without naming a seed" >&2; exit 1; }
    count=$(( start + count - last - 1 ))
    start=$(( last + 1 ))
    (( count > 0 )) || break
  done
done
if [[ $status -eq 0 ]]; then
  echo "all $n seeds passed (from seed $first)"
else
  echo "replay: $sim --seed S --trace"
fi
exit $status
