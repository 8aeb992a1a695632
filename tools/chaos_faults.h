// suanli-chaos's load record and fault injector (tools/chaos.cc runs them).
#pragma once

#include "tools/bench_cluster.h"
#include "tools/chaos_proxy.h"

namespace suanli::chaos {

using bench::Clock;

// A transaction a node acknowledged as committed: which node, and when the
// request was sent and its answer read (bounds on when it committed).
struct Ack {
  std::string tx_hash;
  int node = -1;
  Clock::time_point sent, answered;
};

// What the clients saw. Guarded by mu.
struct Tally {
  std::mutex mu;
  std::vector<Ack> acked;
  uint64_t submitted = 0, unknown = 0;
  std::map<int, uint64_t> errors;  // JSON-RPC error code -> count
};

struct FaultCounts {
  uint64_t kills = 0, leader_kills = 0, pauses = 0;
  uint64_t partitions = 0, leader_isolations = 0, one_way = 0, slow = 0;
  std::vector<std::string> failures;  // what a fault showed wrong; any fails the run
};

// Injects one fault at a time, seeded, each healed before the next, so a
// majority is always connected between faults and (partitions leave a
// majority) during them. Kinds are drawn from a shuffled deck, so every kind
// comes up in each round of draws, even in a short run.
class FaultInjector {
 public:
  FaultInjector(bench::Cluster& cluster, FaultProxy& proxy, Tally& tally, uint64_t seed)
      : c_(cluster), proxy_(proxy), tally_(tally), rng_(seed) {}

  // Runs until `stop`, and at least until every kind of fault has run once
  // (a short run is stretched rather than cut before the deck's end); the
  // cluster and proxy are healed when it returns.
  void run(const std::atomic<bool>& stop);
  // Every kind of fault ran at least once.
  bool every_kind_ran() const { return draws_ >= kKinds; }
  const FaultCounts& counts() const { return counts_; }

 private:
  enum class Kind { kKill, kKillLeader, kPause, kPartition, kIsolateLeader, kOneWay, kSlow };
  static constexpr uint64_t kKinds = 7;

  Kind draw();
  void kill(bool leader);
  void pause();
  void partition(bool leader);
  void one_way();
  void slow();
  // Cuts or black-holes every link between `minority` and the rest, both ways.
  void split(const std::vector<int>& minority, bool cut);
  void heal_all(bool reset);
  // True when a node outside `minority` leads and acknowledged a transaction
  // sent after `since`; waits up to `timeout_s`.
  bool majority_progresses(const std::vector<int>& minority, Clock::time_point since,
                           double timeout_s);
  // Records a failure when a node of `minority` acknowledged, while cut off,
  // a transaction sent after the partition began.
  void check_no_minority_acks(const std::vector<int>& minority, Clock::time_point from,
                              Clock::time_point to);
  int leader_among(const std::vector<int>& nodes);
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }
  void fail(std::string what);

  bench::Cluster& c_;
  FaultProxy& proxy_;
  Tally& tally_;
  std::mt19937_64 rng_;
  std::vector<Kind> deck_;
  uint64_t draws_ = 0;
  FaultCounts counts_;
};

void sleep_s(double s);
// Index of a node that answers node_status as leader, among all; -1 if none.
int leader_of(bench::Cluster& c);

}  // namespace suanli::chaos
