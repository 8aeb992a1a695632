#!/usr/bin/env bash
# Every test under ASan+UBSan (build-asan-full/, gcc), then the node's and
# the RPC server's concurrency tests under ThreadSanitizer (build-tsan/,
# clang: GCC's TSan rejects Asio's atomic_thread_fence). Long: run it
# before a release, not in CI (CI runs the pure libraries under ASan+UBSan).
#   scripts/sanitize.sh [asan|tsan]   (both by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" clang
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
jobs=${SUANLI_JOBS:-2}
what=${1:-both}
status=0

if [[ $what == asan || $what == both ]]; then
  echo "== ASan+UBSan: every test"
  # g++ 12 with the sanitizers warns falsely inside Beast's parser (boost::optional).
  cmake -S "$root" -B "$root/build-asan-full" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSUANLI_SANITIZE=ON -DCMAKE_CXX_FLAGS=-Wno-maybe-uninitialized >/dev/null
  ninja -C "$root/build-asan-full" -j "$jobs"
  (cd "$root/build-asan-full" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j "$jobs") || status=1
fi

if [[ $what == tsan || $what == both ]]; then
  echo "== TSan: node and RPC concurrency tests"
  CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-tsan" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >/dev/null
  ninja -C "$root/build-tsan" -j "$jobs" node_tests rpc_tests
  for t in node/node_tests rpc/rpc_tests; do
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp" \
      "$root/build-tsan/tests/$t" || status=1
  done
fi
exit $status
