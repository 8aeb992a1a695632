// SimNetwork: the simulator's network. Drops, delays, duplicates and reorders
// messages and applies partitions (any set of blocked directed links), all
// driven by the simulator's choices.
#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "consensus/message.h"
#include "tests/consensus/sim_choices_util.h"

namespace suanli::consensus::sim {

struct NetworkFaults {
  uint32_t drop_per_mille = 0;
  uint32_t duplicate_per_mille = 0;
  uint32_t max_delay_ticks = 0;
};

class SimNetwork {
 public:
  explicit SimNetwork(SimChoices& rng) : rng_(rng) {}

  void set_faults(const NetworkFaults& faults) { faults_ = faults; }
  const NetworkFaults& faults() const { return faults_; }
  void send(uint64_t now, Message m);
  // Removes and returns the messages due at now, in random order, skipping
  // blocked links (a partition drops what is in flight too).
  std::vector<Message> take_due(uint64_t now);

  void block(NodeId from, NodeId to) { blocked_.insert({from, to}); }
  void heal() { blocked_.clear(); }
  bool blocked(NodeId from, NodeId to) const { return blocked_.count({from, to}) > 0; }
  // Blocks every link between the two groups, both directions.
  void split(const std::vector<NodeId>& a, const std::vector<NodeId>& b);
  size_t in_flight() const { return queue_.size(); }
  uint64_t dropped() const { return dropped_; }
  uint64_t duplicated() const { return duplicated_; }
  uint64_t delayed() const { return delayed_; }

 private:
  struct Envelope {
    uint64_t deliver_at;
    uint64_t order;  // random tie-break: reorders messages due together
    Message msg;
  };
  SimChoices& rng_;
  NetworkFaults faults_;
  std::vector<Envelope> queue_;
  std::set<std::pair<NodeId, NodeId>> blocked_;
  uint64_t dropped_ = 0;  // by the loss rate or a partition
  uint64_t duplicated_ = 0;
  uint64_t delayed_ = 0;
};

}  // namespace suanli::consensus::sim
