// Raft step sequences: the input's bytes drive the deterministic simulator's
// cluster (tests/consensus/sim_util.h): its size and configuration, which
// node ticks, which messages are dropped, duplicated, delayed or reordered,
// partitions, crashes (before or after an fsync), restarts, proposals,
// membership changes, leadership transfers, reads and snapshots. The
// simulator's checker verifies election safety, log matching, leader
// completeness, state machine safety and monotonic terms and commits after
// every step, and liveness once the faults heal.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tests/consensus/sim_choices_util.h"
#include "tests/consensus/sim_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace suanli::consensus::sim;
  ByteChoices choices(std::string_view(reinterpret_cast<const char*>(data), size));
  SimOptions opts;
  opts.seed = 1 + choices.uniform(1 << 16);
  opts.choices = &choices;
  opts.fault_ticks = 1000;  // the fault phase ends when the bytes do
  const SimResult r = run_simulation(opts);
  if (!r.ok) {
    std::fprintf(stderr, "raft-steps: %s (%s)\n", r.failure.c_str(), describe(r.stats).c_str());
    std::abort();
  }
  return 0;
}
