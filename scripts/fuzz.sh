#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/, ASan+UBSan) and runs
# each for SECONDS (default 60) from its seed corpus in tests/fuzz/corpus/.
# New inputs go to build-fuzz/corpus/; crashes to build-fuzz/crashes/.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
"$root/scripts/setup.sh" clang
build=$root/build-fuzz
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSUANLI_FUZZ=ON >/dev/null
targets=$(cd "$root/tests/fuzz" && ls *_fuzz.cc | sed 's/_fuzz\.cc$//; s/_/-/g')
ninja -C "$build" -j "${SUANLI_JOBS:-2}" $(for t in $targets; do echo "fuzz-$t"; done)
mkdir -p "$build/crashes"
# Undefined behaviour stops a run like a crash, so the fuzzer keeps the input.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
for t in $targets; do
  mkdir -p "$build/corpus/$t"
  # Every target starts from committed seeds (valid inputs of each kind).
  if [[ -z $(ls -A "$root/tests/fuzz/corpus/$t" 2>/dev/null) ]]; then
    echo "fuzz $t: FAILED (no seed corpus in tests/fuzz/corpus/$t)"
    status=1
    continue
  fi
  log=$build/fuzz-$t.log
  if "$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -print_final_stats=1 \
      -rss_limit_mb=2048 -artifact_prefix="$build/crashes/$t-" \
      "$build/corpus/$t" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $t: ok, $runs executions in ${seconds} s"
  else
    echo "fuzz $t: FAILED (see $log and $build/crashes/)"
    tail -30 "$log"
    status=1
  fi
done
exit $status
