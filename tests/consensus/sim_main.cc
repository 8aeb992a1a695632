// suanli-sim: runs the deterministic Raft simulator.
//
//   suanli-sim --seed S [--trace]      replay one seed (trace to stdout)
//   suanli-sim --from A --count N      run seeds A..A+N-1, print failing seeds
//
// Exit status: 0 if every seed passed, 1 otherwise.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <unistd.h>

#include "tests/consensus/sim_util.h"

namespace {

volatile std::sig_atomic_t g_current_seed_valid = 0;
char g_abort_line[64];

// A failed SUANLI_ASSERT aborts; name the seed so it can be replayed.
void on_abort(int) {
  if (g_current_seed_valid) {
    ssize_t ignored = write(STDOUT_FILENO, g_abort_line, std::strlen(g_abort_line));
    (void)ignored;
  }
  std::signal(SIGABRT, SIG_DFL);
  std::abort();
}

int usage() {
  std::fprintf(stderr, "usage: suanli-sim --seed S [--trace] | --from A --count N [--ticks T]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using suanli::consensus::sim::SimOptions;
  uint64_t seed = 0;
  uint64_t from = 1;
  uint64_t count = 0;
  bool single = false;
  bool trace = false;
  uint32_t ticks = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> uint64_t {
      return i + 1 < argc ? std::strtoull(argv[++i], nullptr, 10) : 0;
    };
    if (arg == "--seed") {
      seed = value();
      single = true;
    } else if (arg == "--from") {
      from = value();
    } else if (arg == "--count") {
      count = value();
    } else if (arg == "--ticks") {
      ticks = static_cast<uint32_t>(value());
    } else if (arg == "--trace") {
      trace = true;
    } else {
      return usage();
    }
  }
  if (!single && count == 0) return usage();
  std::signal(SIGABRT, on_abort);
  if (single) {
    from = seed;
    count = 1;
  }
  uint64_t failed = 0;
  for (uint64_t s = from; s < from + count; ++s) {
    std::snprintf(g_abort_line, sizeof(g_abort_line), "FAIL seed %llu (abort)\n",
                  static_cast<unsigned long long>(s));
    g_current_seed_valid = 1;
    SimOptions opts;
    opts.seed = s;
    if (ticks != 0) opts.fault_ticks = ticks;
    if (trace) opts.trace = &std::cout;
    const auto result = suanli::consensus::sim::run_simulation(opts);
    if (!result.ok) {
      ++failed;
      std::cout << "FAIL seed " << s << ": " << result.failure << std::endl;
    } else if (single) {
      std::cout << "ok seed " << s << ": " << describe(result.stats) << std::endl;
    }
  }
  std::cout << (count - failed) << "/" << count << " seeds passed" << std::endl;
  return failed == 0 ? 0 : 1;
}
