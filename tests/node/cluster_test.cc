// Three Nodes in one process on 127.0.0.1: real transport, RocksDB and fsync.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "ledger/block.h"
#include "ledger/codec.h"
#include "ledger/store.h"
#include "node/meta.h"
#include "node/storage/raft_storage.h"
#include "node/storage/state_store.h"
#include "tests/node/cluster_util.h"

namespace suanli::node::testing {
namespace {

TEST(ClusterTest, ThreeNodesConvergeUnderLoadSubmittedToAllNodes) {
  std::string dir = temp_dir("cluster");
  Cluster c(3, dir);
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c.start(i)) << i;
  ASSERT_GE(c.wait_leader(5000), 0);
  PubKey prov = c.actor("gz-prov").key.pubkey;
  std::vector<Hash32> hashes;
  for (int k = 0; k < 300; ++k) {
    auto tx = c.make(k % 2 ? "bj-buyer" : "gd-buyer", ledger::TxType::kTransfer,
                     ledger::Transfer{prov, 1, ""});
    auto r = c.submit(static_cast<size_t>(k % 3), tx);
    if (std::holds_alternative<rpc::RpcError>(r)) {
      // A follower may briefly know no leader; retry once.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      r = c.submit(static_cast<size_t>(k % 3), tx);
    }
    ASSERT_TRUE(std::holds_alternative<Hash32>(r))
        << std::get<rpc::RpcError>(r).message;
    hashes.push_back(std::get<Hash32>(r));
  }
  // Every transaction commits on every node.
  for (size_t i = 0; i < 3; ++i) {
    for (const auto& h : hashes) {
      std::promise<bool> p;
      c.node(i).wait_committed(h, 10000, [&](bool ok) { p.set_value(ok); });
      ASSERT_TRUE(p.get_future().get()) << "node " << i;
    }
  }
  uint64_t height = c.node(0).applied_height();
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c.wait_height(i, height, 5000));
  EXPECT_EQ(c.state_hash(0), c.state_hash(1));
  EXPECT_EQ(c.state_hash(1), c.state_hash(2));
  ledger::Overlay view(c.node(2).state());
  ledger::StateStore st(view);
  EXPECT_EQ(st.participant(prov)->balance, 300u);
  EXPECT_FALSE(c.node(0).diverged());
}

TEST(ClusterTest, TransactionHeldByAFollowerSurvivesTheLeadersDeath) {
  std::string dir = temp_dir("reforward");
  Cluster c(3, dir);
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c.start(i)) << i;
  PubKey prov = c.actor("gz-prov").key.pubkey;
  for (int round = 0; round < 3; ++round) {
    int leader = c.wait_leader(5000);
    ASSERT_GE(leader, 0);
    size_t follower = static_cast<size_t>((leader + 1) % 3);
    c.stop(static_cast<size_t>(leader));
    // The follower still names the dead leader: its forward is lost, and the
    // transaction must reach whichever node leads next.
    auto tx = c.make("bj-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
    auto r = c.submit(follower, tx);
    ASSERT_TRUE(std::holds_alternative<Hash32>(r)) << std::get<rpc::RpcError>(r).message;
    std::promise<bool> p;
    c.node(follower).wait_committed(tx.hash, 15000, [&](bool ok) { p.set_value(ok); });
    EXPECT_TRUE(p.get_future().get()) << "round " << round;
    ASSERT_TRUE(c.start(static_cast<size_t>(leader)));
  }
}

TEST(ClusterTest, NodeWithTamperedStateStopsAtTheNextCheckpoint) {
  std::string dir = temp_dir("diverge");
  Cluster c(3, dir);
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c.start(i)) << i;
  int leader = c.wait_leader(5000);
  ASSERT_GE(leader, 0);
  size_t victim = static_cast<size_t>((leader + 1) % 3);
  size_t up = static_cast<size_t>(leader);
  PubKey buyer = c.actor("bj-buyer").key.pubkey;
  PubKey prov = c.actor("gz-prov").key.pubkey;
  c.stop(victim);
  {
    // One fen more for the buyer, behind the ledger's back.
    auto store = StateStore::open(c.options(victim).config.data_dir + "/state");
    ASSERT_TRUE(store) << store.status().to_string();
    ledger::Overlay view(**store);
    ledger::StateStore st(view);
    ledger::Participant p = *st.participant(buyer);
    p.balance += 1;
    st.put(p);
    ASSERT_TRUE((*store)->commit(view.take()));
  }
  ASSERT_TRUE(c.start(victim));
  // Blocks that touch the tampered balance change the victim's state hash;
  // a later block's checkpoint then disagrees with it.
  for (int k = 0; k < 12; ++k) {
    auto tx = c.make("bj-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
    auto r = c.submit(up, tx);
    ASSERT_TRUE(std::holds_alternative<Hash32>(r)) << std::get<rpc::RpcError>(r).message;
    std::promise<bool> p;
    c.node(up).wait_committed(tx.hash, 10000, [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get());
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!c.node(victim).diverged() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(c.node(victim).diverged());
  EXPECT_TRUE(c.node(victim).node_status()["diverged"].get<bool>());
  EXPECT_FALSE(c.node(up).diverged());
  EXPECT_FALSE(c.node(3 - victim - up).diverged());
  // It stopped applying; the others went on.
  EXPECT_LT(c.node(victim).applied_height(), c.node(up).applied_height());
}

TEST(ClusterTest, NodeBehindACompactedLogCatchesUpFromASnapshot) {
  std::string dir = temp_dir("snapshot");
  Cluster c(3, dir);
  for (size_t i = 0; i < 3; ++i) {
    c.options(i).snapshot_interval_entries = 40;
    c.options(i).snapshot_keep_entries = 10;
  }
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c.start(i)) << i;
  int leader = c.wait_leader(5000);
  ASSERT_GE(leader, 0);
  size_t down = static_cast<size_t>((leader + 1) % 3);
  size_t up = static_cast<size_t>(leader);
  c.stop(down);
  const std::string down_dir = c.options(down).config.data_dir;
  // Its state as it was before the snapshot, to stage a crash later.
  std::filesystem::copy(down_dir + "/state", down_dir + "/state-old",
                        std::filesystem::copy_options::recursive);
  PubKey prov = c.actor("gz-prov").key.pubkey;
  // One block per transaction: enough entries for several snapshots.
  for (int k = 0; k < 150; ++k) {
    auto tx = c.make("bj-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
    auto r = c.submit(up, tx);
    ASSERT_TRUE(std::holds_alternative<Hash32>(r)) << std::get<rpc::RpcError>(r).message;
    std::promise<bool> p;
    c.node(up).wait_committed(std::get<Hash32>(r), 10000, [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get());
  }
  uint64_t first = c.node(up).node_status()["log_first_index"];
  EXPECT_GT(first, 100u) << "the leader's log was not compacted";
  uint64_t height = c.node(up).applied_height();
  ASSERT_TRUE(c.start(down));
  ASSERT_TRUE(c.wait_height(down, height, 20000));
  EXPECT_GT(c.node(down).node_status()["log_first_index"].get<uint64_t>(), 1u)
      << "the node caught up without a snapshot";
  // It keeps applying new blocks after the snapshot.
  auto tx = c.make("gd-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 7, ""});
  auto r = c.submit(up, tx);
  ASSERT_TRUE(std::holds_alternative<Hash32>(r));
  std::promise<bool> p;
  c.node(down).wait_committed(std::get<Hash32>(r), 10000, [&](bool ok) { p.set_value(ok); });
  ASSERT_TRUE(p.get_future().get());
  ASSERT_TRUE(c.wait_height(up, c.node(down).applied_height(), 5000));
  EXPECT_EQ(c.state_hash(up), c.state_hash(down));
  {
    ledger::Overlay view(c.node(down).state());
    ledger::StateStore st(view);
    EXPECT_EQ(st.participant(prov)->balance, 157u);
  }
  // The leader keeps only its newest checkpoints on disk.
  size_t kept = 0;
  for (const auto& e : std::filesystem::directory_iterator(
           c.options(up).config.data_dir + "/snapshots")) {
    (void)e;
    ++kept;
  }
  EXPECT_LE(kept, 2u);
  // The caught-up node restarts from the received state database.
  std::string hash = c.state_hash(down);
  uint64_t at = c.node(down).applied_height();
  c.stop(down);
  ASSERT_TRUE(c.start(down));
  EXPECT_EQ(c.node(down).applied_height(), at);
  EXPECT_EQ(c.state_hash(down), hash);
  EXPECT_FALSE(std::filesystem::exists(down_dir + "/state"))
      << "the state from before the snapshot was not removed";
  // A crash after Raft stored the snapshot but before the state database
  // switched to it: the node finishes the switch when it starts.
  c.stop(down);
  { std::ofstream(down_dir + "/STATE") << "state-old\n"; }
  ASSERT_TRUE(c.start(down));
  EXPECT_EQ(c.node(down).applied_height(), at);
  EXPECT_EQ(c.state_hash(down), hash);
  EXPECT_FALSE(std::filesystem::exists(down_dir + "/state-old"));
}

TEST(ClusterTest, JoinerBecomesALearnerThenAVoterOnceRegulatorsApprove) {
  std::string dir = temp_dir("joiner");
  Cluster c(3, dir);
  size_t j = c.add_joiner("n4");
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c.start(i)) << i;
  int leader = c.wait_leader(5000);
  ASSERT_GE(leader, 0);
  auto commit = [&](const ledger::Tx& tx) {
    auto r = c.submit(static_cast<size_t>(leader), tx);
    ASSERT_TRUE(std::holds_alternative<Hash32>(r)) << std::get<rpc::RpcError>(r).message;
    std::promise<bool> p;
    c.node(static_cast<size_t>(leader)).wait_committed(std::get<Hash32>(r), 10000,
                                                       [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get());
  };
  PubKey prov = c.actor("gz-prov").key.pubkey;
  for (int k = 0; k < 5; ++k) {
    commit(c.make("bj-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""}));
  }
  // The joiner runs before it is a member: it has no peers that accept it.
  ASSERT_TRUE(c.start(j));
  ledger::NodePropose add{ledger::NodeAction::kAddLearner, "n4", c.options(j).key.pubkey,
                          c.options(j).config.listen};
  auto propose = c.make("gz-reg", ledger::TxType::kNodePropose, add);
  commit(propose);
  EXPECT_EQ(c.node(j).applied_height(), 0u);
  commit(c.make("bj-reg", ledger::TxType::kProposalApprove, ledger::ProposalApprove{propose.hash}));
  commit(c.make("gd-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 2, ""}));
  uint64_t height = c.node(static_cast<size_t>(leader)).applied_height();
  ASSERT_TRUE(c.wait_height(j, height, 15000)) << "the learner did not catch up";
  EXPECT_EQ(c.state_hash(j), c.state_hash(static_cast<size_t>(leader)));
  EXPECT_EQ(c.node(j).node_status()["role"], "learner");
  // A learner does not vote: the three voters still make the quorum.
  ledger::Overlay view(c.node(j).state());
  ledger::StateStore st(view);
  EXPECT_EQ(st.participant(prov)->balance, 7u);

  // Promotion: add_voter of the learner, approved by a second province.
  ledger::NodePropose promote = add;
  promote.action = ledger::NodeAction::kAddVoter;
  auto promote_tx = c.make("bj-reg", ledger::TxType::kNodePropose, promote);
  commit(promote_tx);
  commit(c.make("gz-reg", ledger::TxType::kProposalApprove,
                ledger::ProposalApprove{promote_tx.hash}));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (c.node(j).node_status()["role"] == "learner" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(c.node(j).node_status()["role"], "follower");
  commit(c.make("gd-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 3, ""}));
  ASSERT_TRUE(c.wait_height(j, c.node(static_cast<size_t>(leader)).applied_height(), 10000));
  EXPECT_EQ(c.state_hash(j), c.state_hash(static_cast<size_t>(leader)));
}


bool has_peer(Node& n, const std::string& id) {
  const nlohmann::json status = n.node_status();  // a range-for would not keep it alive
  for (const auto& p : status["peers"]) {
    if (p["node_id"] == id) return true;
  }
  return false;
}

TEST(ClusterTest, ApprovedRemovalsTakeAFollowerAndThenTheLeaderOutOfTheCluster) {
  Cluster c(3, temp_dir("remove"));
  int l = c.start_all();
  ASSERT_GE(l, 0);
  const auto leader = static_cast<size_t>(l);
  const size_t victim = (leader + 1) % 3;
  const size_t last = (leader + 2) % 3;
  auto commit_on = [&](size_t i, const ledger::Tx& tx) {
    auto error = c.commit(i, tx);
    ASSERT_FALSE(error) << *error;
  };
  auto remove = [&](size_t node) {
    const auto& o = c.options(node);
    ledger::NodePropose rm{ledger::NodeAction::kRemove, o.config.node_id, o.key.pubkey,
                           o.config.listen};
    auto propose = c.make("gz-reg", ledger::TxType::kNodePropose, rm);
    commit_on(leader, propose);
    commit_on(leader, c.make("bj-reg", ledger::TxType::kProposalApprove,
                             ledger::ProposalApprove{propose.hash}));
  };
  auto wait_for = [](const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
  };
  PubKey prov = c.actor("gz-prov").key.pubkey;
  const std::string victim_id = c.options(victim).config.node_id;
  const std::string leader_id = c.options(leader).config.node_id;

  remove(victim);
  ASSERT_TRUE(wait_for([&] { return !has_peer(c.node(leader), victim_id); }));
  c.stop(victim);
  commit_on(leader, c.make("bj-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""}));

  // Removing the leader: it steps down and the one voter left leads alone.
  remove(leader);
  ASSERT_TRUE(wait_for([&] { return c.node(last).node_status()["role"] == "leader"; }))
      << c.node(last).node_status().dump();
  EXPECT_FALSE(has_peer(c.node(last), leader_id));
  c.stop(leader);
  // One node of an original three commits: both removals took effect in Raft.
  commit_on(last, c.make("gd-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 5, ""}));
  ledger::Overlay view(c.node(last).state());
  ledger::StateStore st(view);
  EXPECT_EQ(st.participant(prov)->balance, 6u);
}


// A block whose proposer signature does not verify is skipped by every node,
// the leader that made it included (it must not trust its own record of
// having signed): nothing is applied anywhere. The same load commits on a
// cluster without the fault.
TEST(ClusterTest, BlockWithABadProposerSignatureIsSkippedEverywhere) {
  for (bool fault : {false, true}) {
    SCOPED_TRACE(fault ? "every leader signs badly" : "no fault");
    Cluster c(3, temp_dir(fault ? "bad-block-sig" : "good-block-sig"));
    for (size_t i = 0; i < 3; ++i) c.options(i).fault_bad_block_signature = fault;
    const int l = c.start_all();
    ASSERT_GE(l, 0);
    const auto leader = static_cast<size_t>(l);
    const uint64_t height = c.node(leader).applied_height();
    PubKey prov = c.actor("gz-prov").key.pubkey;
    auto tx = c.make("gd-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
    auto r = c.submit(leader, tx);
    ASSERT_TRUE(std::holds_alternative<Hash32>(r)) << std::get<rpc::RpcError>(r).message;
    std::promise<bool> p;
    c.node(leader).wait_committed(tx.hash, 1500, [&](bool ok) { p.set_value(ok); });
    EXPECT_EQ(p.get_future().get(), !fault);
    for (size_t i = 0; i < 3; ++i) {
      if (fault) {
        EXPECT_EQ(c.node(i).applied_height(), height) << i;
      } else {
        EXPECT_TRUE(eventually([&] { return c.node(i).applied_height() > height; }, 5000)) << i;
      }
    }
  }
}

TEST(ClusterTest, BadSignatureInALeadersBlockIsSkippedAndListedAsRejectedEverywhere) {
  Cluster c(3, temp_dir("badsig"));
  for (size_t i = 0; i < 3; ++i) {
    c.options(i).fault_admit_unverified = true;  // whoever leads is a faulty leader
  }
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c.start(i)) << i;
  int l = c.wait_leader(5000);
  ASSERT_GE(l, 0);
  const auto leader = static_cast<size_t>(l);
  PubKey prov = c.actor("gz-prov").key.pubkey;
  auto bad = c.make("bj-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 500, ""});
  bad.signature[0] ^= 0x01;
  bad.canonical = ledger::jcs(ledger::tx_to_json(bad, true));
  auto r = c.submit(leader, bad);
  ASSERT_TRUE(std::holds_alternative<Hash32>(r)) << "the faulty leader must admit it";
  auto good = c.make("gd-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 3, ""});
  r = c.submit(leader, good);
  ASSERT_TRUE(std::holds_alternative<Hash32>(r));
  for (size_t i = 0; i < 3; ++i) {
    std::promise<bool> p;
    c.node(i).wait_committed(good.hash, 10000, [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get()) << i;
  }
  const uint64_t height = c.node(leader).applied_height();
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c.wait_height(i, height, 5000)) << i;
  for (size_t i = 0; i < 3; ++i) {
    // In a block, listed as rejected, with no effect and no transaction record.
    uint64_t found = 0;
    for (uint64_t h = 1; h <= height; ++h) {
      auto raw = c.node(i).state().get(ledger::keys::block(h));
      ASSERT_TRUE(raw) << h;
      auto rec = ledger::decode_block_record(*raw);
      ASSERT_TRUE(rec);
      for (const auto& x : rec->rejected) {
        if (x == bad.hash) found = h;
      }
    }
    EXPECT_GT(found, 0u) << "node " << i;
    ledger::Overlay view(c.node(i).state());
    ledger::StateStore st(view);
    EXPECT_FALSE(st.tx_record(bad.hash)) << i;
    EXPECT_EQ(st.participant(prov)->balance, 3u) << i;
    EXPECT_EQ(c.state_hash(i), c.state_hash(leader)) << i;
  }
}

// Submits `count` transfers to the leader, one every `gap_ms`, and returns the
// times of the blocks that hold them, in height order.
std::vector<uint64_t> block_times_of_paced_transfers(uint32_t interval_ms, int count, int gap_ms) {
  Cluster c(3, temp_dir("interval"));
  for (size_t i = 0; i < 3; ++i) c.options(i).block_interval_ms = interval_ms;
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(c.start(i)) << i;
  int l = c.wait_leader(5000);
  EXPECT_GE(l, 0);
  if (l < 0) return {};
  const auto leader = static_cast<size_t>(l);
  PubKey prov = c.actor("gz-prov").key.pubkey;
  std::vector<Hash32> hashes;
  for (int k = 0; k < count; ++k) {
    auto tx = c.make("bj-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
    auto r = c.submit(leader, tx);
    EXPECT_TRUE(std::holds_alternative<Hash32>(r));
    hashes.push_back(tx.hash);
    std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
  }
  for (const auto& h : hashes) {
    std::promise<bool> p;
    c.node(leader).wait_committed(h, 10000, [&](bool ok) { p.set_value(ok); });
    EXPECT_TRUE(p.get_future().get());
  }
  std::vector<uint64_t> times;
  for (uint64_t h = 1; h <= c.node(leader).applied_height(); ++h) {
    auto raw = c.node(leader).state().get(ledger::keys::block(h));
    auto rec = raw ? ledger::decode_block_record(*raw) : std::nullopt;
    EXPECT_TRUE(rec) << h;
    if (rec) times.push_back(rec->header.time);
  }
  return times;
}

TEST(ClusterTest, LeaderProposesSmallBlocksNoMoreOftenThanTheBlockInterval) {
  // 12 transfers over ~0.6 s: with a 250 ms interval they share 3-5 blocks,
  // each at least 250 ms after the one before (block times are the leader's
  // clock in ms; 5 ms allow for rounding against the steady clock).
  auto paced = block_times_of_paced_transfers(250, 12, 50);
  ASSERT_GE(paced.size(), 2u);
  EXPECT_LE(paced.size(), 5u);
  for (size_t k = 1; k < paced.size(); ++k) {
    EXPECT_GE(paced[k] - paced[k - 1], 245u) << "blocks " << k << " and " << k + 1;
  }
  // Without an interval, a transfer every 50 ms goes out in a block of its own.
  auto unpaced = block_times_of_paced_transfers(0, 12, 50);
  EXPECT_GE(unpaced.size(), 10u);
}

TEST(ClusterTest, SignatureChecksCannotBeTurnedOffOutsideTheBenchmarkChain) {
  Cluster c(1, temp_dir("nosig"));
  c.options(0).bench_no_signatures = true;
  Status s = c.start(0);
  ASSERT_FALSE(s);
  EXPECT_NE(s.to_string().find("benchmark chain"), std::string::npos) << s.to_string();
}

TEST(ClusterTest, StateDatabaseBehindTheRaftLogIsReplayedToTheSameState) {
  // Blocks reach the state database without fsync; a power loss can take
  // the last ones back. The Raft log (fsynced) replays them.
  Cluster c(3, temp_dir("replay"));
  int l = c.start_all();
  ASSERT_GE(l, 0);
  const auto leader = static_cast<size_t>(l);
  const size_t victim = (leader + 1) % 3;
  PubKey prov = c.actor("gz-prov").key.pubkey;
  auto commit = [&](int n) {
    for (int k = 0; k < n; ++k) {
      auto error = c.commit(
          leader, c.make("bj-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""}));
      ASSERT_FALSE(error) << *error;
    }
  };
  commit(5);
  ASSERT_TRUE(c.wait_height(victim, c.node(leader).applied_height(), 5000));
  const std::string state = c.options(victim).config.data_dir + "/state";
  c.stop(victim);
  std::filesystem::copy(state, state + "-older", std::filesystem::copy_options::recursive);
  ASSERT_TRUE(c.start(victim));
  commit(10);
  const uint64_t height = c.node(leader).applied_height();
  ASSERT_TRUE(c.wait_height(victim, height, 5000));
  c.stop(victim);
  // The state database loses its last ten blocks; the Raft log keeps them.
  std::filesystem::remove_all(state);
  std::filesystem::rename(state + "-older", state);
  ASSERT_TRUE(c.start(victim));
  EXPECT_LT(c.node(victim).applied_height(), height) << "the rollback did not take";
  ASSERT_TRUE(c.wait_height(victim, height, 10000));
  EXPECT_EQ(c.state_hash(victim), c.state_hash(leader));
  ledger::Overlay view(c.node(victim).state());
  ledger::StateStore st(view);
  EXPECT_EQ(st.participant(prov)->balance, 15u);
}

// A commit index is saved without fsync, so a power loss can leave the Raft
// log's below what the state database applied. A node restarted so, alone
// (no quorum to learn the commit from), raises it to its applied index.
TEST(ClusterTest, NodeWhoseCommitIndexFellBehindItsStateRaisesIt) {
  std::string dir = temp_dir("commit-behind");
  Cluster c(3, dir);
  int leader = c.start_all();
  ASSERT_GE(leader, 0);
  PubKey prov = c.actor("gz-prov").key.pubkey;
  size_t v = static_cast<size_t>((leader + 1) % 3);
  for (int k = 0; k < 5; ++k) {
    auto tx = c.make("gd-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
    ASSERT_EQ(c.commit(v, tx), std::nullopt);
  }
  const uint64_t height = c.node(v).applied_height();
  for (size_t i = 0; i < 3; ++i) c.stop(i);
  const std::string data = c.options(v).config.data_dir;
  uint64_t applied = 0;
  {
    auto state = StateStore::open(data + "/state");
    ASSERT_TRUE(state) << state.status().to_string();
    applied = meta::load_applied(**state).index;
    auto raft = RaftStorage::open(data + "/raft");
    ASSERT_TRUE(raft) << raft.status().to_string();
    consensus::HardState hs = (*raft)->hard_state();
    ASSERT_GE(hs.commit, applied);
    hs.commit = (*raft)->first_index() - 1;  // as a power loss may leave it
    ASSERT_LT(hs.commit, applied);
    ASSERT_TRUE((*raft)->save(&hs, {}));
  }
  ASSERT_TRUE(c.start(v));
  EXPECT_EQ(c.node(v).applied_height(), height);
  c.stop(v);
  auto raft = RaftStorage::open(data + "/raft");
  ASSERT_TRUE(raft) << raft.status().to_string();
  EXPECT_EQ((*raft)->hard_state().commit, applied);
}

// node_status (and so /metrics) reports the Raft log's segment files as they
// are on disk.
TEST(ClusterTest, NodeStatusReportsTheRaftLogFilesOnDisk) {
  std::string dir = temp_dir("cluster-log-files");
  Cluster c(3, dir);
  int leader = c.start_all();
  ASSERT_GE(leader, 0);
  const auto l = static_cast<size_t>(leader);
  PubKey prov = c.actor("gz-prov").key.pubkey;
  for (int k = 0; k < 3; ++k) {
    auto tx = c.make("gd-buyer", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
    ASSERT_EQ(c.commit(l, tx), std::nullopt);
  }
  const std::string log_dir = c.options(l).config.data_dir + "/raft/log";
  uint64_t bytes = 0;
  uint64_t files = 0;
  EXPECT_TRUE(eventually(
      [&] {
        bytes = files = 0;
        for (const auto& f : std::filesystem::directory_iterator(log_dir)) {
          if (f.path().extension() != ".seg") continue;
          bytes += f.file_size();
          ++files;
        }
        const auto st = c.node(l).node_status();
        return bytes > 0 && st["log_bytes"].get<uint64_t>() == bytes &&
               st["log_segments"].get<uint64_t>() == files;
      },
      5000))
      << bytes << " bytes in " << files << " files; node_status: " << c.node(l).node_status().dump();
}

// Operators and profilers tell a node's threads apart by name (`top -H`).
TEST(ClusterTest, NodeThreadsCarryTheirNames) {
  std::string dir = temp_dir("cluster-names");
  Cluster c(1, dir);
  ASSERT_TRUE(c.start(0));
  // Each thread names itself as it starts: wait until all three have.
  auto names = [] {
    std::multiset<std::string> seen;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream in(task.path() / "comm");
      std::string name;
      std::getline(in, name);
      seen.insert(name);
    }
    return seen;
  };
  EXPECT_TRUE(eventually(
      [&] {
        auto seen = names();
        return seen.count("io") == 1 && seen.count("apply") == 1 && seen.count("verify-0") >= 1;
      },
      5000));
  c.stop(0);
}

}  // namespace
}  // namespace suanli::node::testing
