// A follower forwards what clients give it to the leader. A forward sent
// before its link to the leader is up, or lost with a link, is forwarded
// again: an accepted transaction does not sit in a follower forever.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "tests/node/cluster_util.h"

namespace suanli::node::testing {
namespace {

TEST(ForwardTest, TransactionsAcceptedBeforeTheLinkToTheLeaderIsUpStillCommit) {
  Cluster c(3, temp_dir("forward"));
  // Node 0 starts alone: its dials fail and back off, so once the others
  // start and elect a leader, node 0 hears the leader (the leader dials it)
  // before its own link to the leader is up.
  ASSERT_TRUE(c.start(0));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(c.start(1));
  ASSERT_TRUE(c.start(2));
  int leader = c.wait_leader(5000);
  ASSERT_GE(leader, 0);
  if (leader == 0) GTEST_SKIP() << "node 0 leads: nothing to forward this time";
  PubKey prov = c.actor("gz-prov").key.pubkey;
  std::vector<Hash32> hashes;
  for (int k = 0; k < 20; ++k) {
    auto tx = c.make("bj-buyer", ledger::TxType::kTransfer,
                     ledger::Transfer{prov, static_cast<uint64_t>(k + 1), ""});
    auto r = c.submit(0, tx);
    ASSERT_TRUE(std::holds_alternative<Hash32>(r)) << std::get<rpc::RpcError>(r).message;
    hashes.push_back(std::get<Hash32>(r));
  }
  for (const auto& h : hashes) {
    std::promise<bool> p;
    c.node(0).wait_committed(h, 10000, [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get()) << "an accepted transaction never committed";
  }
}

}  // namespace
}  // namespace suanli::node::testing
