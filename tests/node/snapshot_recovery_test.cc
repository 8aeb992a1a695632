// A leader whose checkpoint for Raft's snapshot has gone (removed by hand, or
// never made) makes one when a follower asks for it, instead of leaving the
// follower waiting until the next snapshot interval.
#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/store.h"
#include "tests/node/cluster_util.h"

namespace suanli::node::testing {
namespace {

TEST(SnapshotRecoveryTest, MissingCheckpointIsMadeWhenAFollowerAsksForIt) {
  Cluster c(3, temp_dir("snapshot-missing"));
  for (size_t i = 0; i < 3; ++i) {
    c.options(i).snapshot_interval_entries = 40;
    c.options(i).snapshot_keep_entries = 10;
  }
  int leader = c.start_all();
  ASSERT_GE(leader, 0);
  const size_t up = static_cast<size_t>(leader);
  const size_t down = (up + 1) % 3;
  c.stop(down);
  PubKey prov = c.actor("gz-prov").key.pubkey;
  for (int k = 0; k < 100; ++k) {
    auto error = c.commit(up, c.make("bj-buyer", ledger::TxType::kTransfer,
                                     ledger::Transfer{prov, 1, ""}));
    ASSERT_FALSE(error) << k << ": " << *error;
  }
  ASSERT_GT(c.node(up).node_status()["log_first_index"].get<uint64_t>(), 1u)
      << "the leader's log was not compacted";
  // Every checkpoint of the leader goes; no more load follows, so no new
  // snapshot would be due for another 40 entries.
  const std::string snapshots = c.options(up).config.data_dir + "/snapshots";
  for (const auto& e : std::filesystem::directory_iterator(snapshots)) {
    std::filesystem::remove_all(e.path());
  }
  const uint64_t height = c.node(up).applied_height();
  ASSERT_TRUE(c.start(down));
  ASSERT_TRUE(c.wait_height(down, height, 20000)) << "the follower never got a snapshot";
  EXPECT_EQ(c.state_hash(down), c.state_hash(up));
  EXPECT_FALSE(std::filesystem::is_empty(snapshots));
}

}  // namespace
}  // namespace suanli::node::testing
