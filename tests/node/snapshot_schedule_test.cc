// The snapshot schedule: each node at its own phase of the interval.
#include "node/snapshot_schedule.h"

#include "node/node.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace suanli::node {
namespace {

TEST(SnapshotScheduleTest, DueAtThePhaseAboutEveryInterval) {
  for (uint64_t interval : {uint64_t{100}, uint64_t{10000}, uint64_t{40}}) {
    for (uint64_t phase : {uint64_t{0}, uint64_t{1}, interval / 3, interval - 1}) {
      for (uint64_t last : {uint64_t{0}, uint64_t{1}, uint64_t{57}, interval - 1, interval, 5 * interval + 7}) {
        const uint64_t due = next_snapshot_index(last, interval, phase);
        EXPECT_EQ(due % interval, phase) << interval << " " << phase << " " << last;
        EXPECT_GE(due - last, interval / 2) << interval << " " << phase << " " << last;
        EXPECT_LT(due - last, interval + interval / 2) << interval << " " << phase << " " << last;
      }
      // Once on its phase, a node snapshots exactly every interval.
      uint64_t at = next_snapshot_index(0, interval, phase);
      for (int i = 0; i < 5; ++i) {
        const uint64_t next = next_snapshot_index(at, interval, phase);
        EXPECT_EQ(next - at, interval);
        at = next;
      }
    }
  }
}

TEST(SnapshotScheduleTest, NodesOfAClusterCheckpointAtDifferentIndexes) {
  const uint64_t interval = 10000;
  // The benchmark's and the devnet's nodes.
  for (const auto& names : {std::vector<std::string>{"n1", "n2", "n3"},
                            std::vector<std::string>{"gz-1", "gz-2", "bj-1"}}) {
    std::set<uint64_t> dues;
    for (const auto& name : names) {
      dues.insert(next_snapshot_index(0, interval, snapshot_phase(raft_id_of(name), interval)));
    }
    EXPECT_EQ(dues.size(), names.size());
  }
  EXPECT_EQ(next_snapshot_index(0, 0, 0), 1u);  // no interval: every entry
}

}  // namespace
}  // namespace suanli::node
