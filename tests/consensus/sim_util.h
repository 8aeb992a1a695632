// Deterministic Raft simulator: 3-7 RaftCores in one process, a faulty
// network (SimNetwork), crashes that lose everything not persisted, restarts,
// membership changes, snapshots, leadership transfers and ReadIndex, all
// driven by one seed (or by a fuzzer's bytes: SimOptions::choices). SimChecker verifies the safety properties after every
// step; after the faults heal, a leader must be elected and a proposal must
// be applied by every voter within a bounded number of ticks.
//
// The same seed always gives the same run, so a failure replays with
// `suanli-sim --seed S --trace`.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace suanli::consensus::sim {

class SimChoices;

struct SimOptions {
  uint64_t seed = 1;  // Raft's election timers; also the choices when `choices` is null
  SimChoices* choices = nullptr;  // where every other choice comes from
  uint32_t fault_ticks = 200;  // ticks with faults injected (fewer if the choices run out)
  uint32_t heal_ticks = 300;   // liveness bound once faults stop
  std::ostream* trace = nullptr;
};

struct SimStats {
  uint64_t ticks = 0;
  uint64_t messages = 0;
  uint64_t leaders = 0;
  uint64_t applied = 0;  // highest index applied anywhere
  uint64_t crashes = 0;
  uint64_t partitions = 0;
  uint64_t snapshots_sent = 0;
  uint64_t snapshots_taken = 0;
  uint64_t conf_changes = 0;
  uint64_t transfers = 0;
  uint64_t reads = 0;
  uint32_t nodes = 0;
};

struct SimResult {
  bool ok = true;
  std::string failure;
  SimStats stats;
};

SimResult run_simulation(const SimOptions& options);
std::string describe(const SimStats& stats);

}  // namespace suanli::consensus::sim
