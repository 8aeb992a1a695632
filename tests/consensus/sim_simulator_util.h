// The simulator's driver (sim_util.cc: nodes, Ready handling, the run and
// its liveness check; sim_faults_util.cc: faults and workload). Internal to
// the simulator library: use run_simulation() (sim_util.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/consensus/sim_checker_util.h"
#include "tests/consensus/sim_choices_util.h"
#include "tests/consensus/sim_network_util.h"
#include "tests/consensus/sim_node_util.h"
#include "tests/consensus/sim_util.h"

namespace suanli::consensus::sim::detail {

inline constexpr uint32_t kRoundsPerTick = 3;
inline constexpr size_t kVotersMax = 7;
inline constexpr size_t kNodesMax = 9;
inline constexpr uint32_t kMarkerRetryTicks = 40;
// The largest entry the simulator proposes, with its header (a proposal:
// "p<n>:" and up to 40 bytes; conf changes and markers are smaller).
inline constexpr uint64_t kEntryBytesMax = kEntryHeaderBytes + 64;

// Per-mille chances per tick, drawn per seed so runs range from calm to harsh.
struct Rates {
  uint32_t partition = 15;
  uint32_t crash = 4;
  uint32_t restart = 60;
  uint32_t crash_after_fsync = 2;
  uint32_t propose = 400;
  uint32_t conf_change = 25;
  uint32_t transfer = 8;
  uint32_t read = 60;
  uint32_t snapshot = 40;
};

class Simulator {
 public:
  explicit Simulator(const SimOptions& options)
      : opts_(options),
        own_rng_(options.choices ? nullptr : std::make_unique<PrngChoices>(options.seed)),
        rng_(options.choices ? *options.choices : *own_rng_),
        net_(rng_) {}
  SimResult run();

 private:
  void setup();
  void run_tick(bool faults);
  void deliver(const Message& m);
  void process_ready(SimNode& n, bool faults);
  void apply_entry(SimNode& n, const Entry& e);
  void restore_app(SimNode& n, const Snapshot& snap);
  void maybe_snapshot(SimNode& n);
  void check_all();
  void check_flow_control(SimNode& leader);
  void inject_faults();
  void partition();
  void workload();
  void propose(SimNode& leader);
  void conf_change(SimNode& leader);
  void crash(SimNode& n);
  void restart(SimNode& n);
  SimNode& add_node(NodeId id, bool bootstrap);
  SimNode* find_leader();
  bool liveness_reached();
  bool heal_proposals_applied();
  void dump_state();
  void trace(const std::string& line);
  std::vector<NodeId> up_ids() const;

  SimOptions opts_;
  std::unique_ptr<SimChoices> own_rng_;
  SimChoices& rng_;
  SimNetwork net_;
  SimChecker checker_;
  RaftConfig base_;
  std::map<NodeId, std::unique_ptr<SimNode>> nodes_;
  std::vector<NodeId> initial_;
  uint64_t now_ = 0;
  uint64_t next_proposal_ = 0;
  uint64_t next_read_ = 0;
  Bytes marker_;
  struct HealProposal {
    Term term;
    Index index;
  };
  std::vector<HealProposal> heal_proposals_;
  SimStats stats_;
  Rates rates_;
};

}  // namespace suanli::consensus::sim::detail
