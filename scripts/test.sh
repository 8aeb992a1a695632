#!/usr/bin/env bash
# Installs what is missing, builds with two jobs, and runs every test:
#   1. the release build and all its tests (unit, simulation, multi-process);
#   2. the pure libraries' tests (common, ledger, consensus) under ASan+UBSan.
# Usage: scripts/test.sh [--no-sanitize]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/setup.sh"

sanitize=1
[[ ${1:-} == --no-sanitize ]] && sanitize=0
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
jobs=${SUANLI_JOBS:-2}

echo "== release build"
"$root/scripts/build.sh"
echo "== release tests"
(cd build && ctest --output-on-failure -j "$jobs")
echo "== Debian package"
"$root/scripts/package.sh"
echo "== chaos (quick)"
"$root/scripts/chaos.sh" --quick
echo "== the docs' examples against a devnet"
"$root/scripts/docs_test.sh"
echo "== fuzz targets, a few seconds each"
"$root/scripts/fuzz.sh" "${SUANLI_FUZZ_SECONDS:-5}"

if ((sanitize)); then
  echo "== ASan+UBSan build of the pure libraries"
  cmake -S "$root" -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSUANLI_SANITIZE=ON -DSUANLI_PURE_ONLY=ON >/dev/null
  ninja -C build-asan -j "$jobs"
  echo "== ASan+UBSan tests"
  # Fewer random seeds under the sanitizers (each runs ~10x slower); the
  # release run above covers the full counts.
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    SUANLI_PROPERTY_SEEDS=${SUANLI_PROPERTY_SEEDS:-200} SUANLI_SIM_SEEDS=${SUANLI_SIM_SEEDS:-200} \
    ctest --output-on-failure -j "$jobs")
fi
