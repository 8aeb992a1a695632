// Deterministic Raft simulator: 3-7 RaftCores in one process, a faulty
// network (SimNetwork), crashes that lose everything not persisted, restarts,
// membership changes, snapshots, leadership transfers and ReadIndex, all
// driven by one seed (or by a fuzzer's bytes: SimOptions::choices).
// SimChecker checks each node's safety properties after every step (message
// or tick) and log matching across nodes after every delivery round; after
// the faults heal, within heal_ticks a leader must be elected and a marker
// and every proposal its term accepted meanwhile must be applied on every
// voter.
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
  uint64_t partitions = 0;  // changes of the partition, heals included
  uint64_t partitions_symmetric = 0;
  uint64_t partitions_asymmetric = 0;  // one node muted or deaf
  uint64_t partitions_bridge = 0;
  uint64_t dropped = 0;  // messages lost to the loss rate or a partition
  uint64_t duplicated = 0;
  uint64_t delayed = 0;
  uint64_t crashes_after_fsync = 0;  // crashed between the fsync and sending
  uint64_t unsynced_commits_lost = 0;  // crashes that lost a commit written without fsync
  uint64_t snapshots_sent = 0;
  uint64_t snapshots_taken = 0;
  uint64_t conf_changes = 0;
  uint64_t transfers = 0;
  uint64_t reads = 0;  // ReadIndex requests accepted
  uint64_t reads_answered = 0;
  uint64_t reads_dropped = 0;  // reported dropped at a leadership change
  uint64_t heal_ticks = 0;      // from healing to a leader with everything applied
  uint64_t heal_proposals = 0;  // proposals after healing checked applied on every voter
  uint32_t nodes = 0;
};

struct SimResult {
  bool ok = true;
  std::string failure;
  SimStats stats;
};

SimResult run_simulation(const SimOptions& options);
std::string describe(const SimStats& stats);
// Adds b's counts to a (nodes and heal_ticks: the largest).
void accumulate(SimStats& a, const SimStats& b);

}  // namespace suanli::consensus::sim
