// Multi-process tests of issue 4: real suanlid processes on 127.0.0.1 with
// RocksDB and fsync, driven through JSON-RPC.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "node/node.h"
#include "tests/integration/process_util.h"

namespace suanli::testing {
namespace {

TEST(ClusterProcessTest, ThreeNodesConvergeUnderConcurrentLoadToAllNodes) {
  ProcessDevnet d(3, temp_dir("converge"));
  ASSERT_TRUE(d.start_all());
  PubKey prov = d.key("gz-supercomputing").pubkey;
  const std::vector<std::string> buyers = {"bj-ai", "gd-robotics", "sh-biotech"};
  std::vector<ledger::Tx> txs;
  for (int k = 0; k < 240; ++k) {
    txs.push_back(d.make(buyers[k % 3], ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""}));
  }
  std::atomic<int> acked{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      for (size_t k = static_cast<size_t>(t); k < txs.size(); k += 6) {
        for (int attempt = 0; attempt < 20; ++attempt) {
          if (submit_committed(d, static_cast<int>(k % 3), txs[k])) {
            ++acked;
            break;
          }
          // A retry of an already-committed hash answers duplicate: check it.
          auto g = d.call(static_cast<int>(k % 3), "tx_get", {{"tx_hash", to_hex(txs[k].hash)}});
          if (g && g->contains("result") && (*g)["result"]["status"] == "committed") {
            ++acked;
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(acked.load(), 240);
  std::string hash;
  ASSERT_TRUE(converge(d, 20000, &hash));
  for (int i = 0; i < 3; ++i) {
    auto p = d.call(i, "participant_get", {{"pubkey", to_hex(prov)}});
    ASSERT_TRUE(p && p->contains("result"));
    EXPECT_EQ((*p)["result"]["balance"], 240);
  }
}

TEST(ClusterProcessTest, KillLeaderUnderLoadLosesNoCommittedTransaction) {
  ProcessDevnet d(3, temp_dir("kill"));
  ASSERT_TRUE(d.start_all());
  PubKey prov = d.key("gz-intelligent").pubkey;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<int> alive_mask{7};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(t + 1));
      const char* buyer = t % 2 ? "bj-ai" : "sh-biotech";
      while (!stop.load()) {
        int node = static_cast<int>(rng() % 3);
        if (!(alive_mask.load() & (1 << node))) continue;
        ledger::Tx tx;
        {
          std::lock_guard lock(mu);
          tx = d.make(buyer, ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
        }
        if (auto h = submit_committed(d, node, tx, 3000)) {
          std::lock_guard lock(mu);
          acknowledged.push_back(*h);
        }
      }
    });
  }
  int kills = 0;
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    int leader = d.leader(10000);
    ASSERT_GE(leader, 0);
    alive_mask &= ~(1 << leader);
    d.kill9(leader);
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    d.start(leader);
    ASSERT_TRUE(d.wait_ready(leader, 10000)) << d.log_path(leader);
    alive_mask |= (1 << leader);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop = true;
  for (auto& c : clients) c.join();
  ASSERT_GT(acknowledged.size(), 20u) << "too little load got through";
  std::string hash;
  ASSERT_TRUE(converge(d, 30000, &hash));
  // Every transaction acknowledged as committed is committed on every node.
  for (int i = 0; i < 3; ++i) {
    for (const auto& h : acknowledged) {
      auto g = d.call(i, "tx_get", {{"tx_hash", h}});
      ASSERT_TRUE(g && g->contains("result")) << "node " << i << " lost " << h;
      EXPECT_EQ((*g)["result"]["status"], "committed") << "node " << i << " " << h;
    }
  }
  std::printf("kills: %d, acknowledged: %zu, state hash %s\n", kills, acknowledged.size(),
              hash.c_str());
}

TEST(ClusterProcessTest, StoppedNodeCatchesUpThroughASnapshotOfTheCompactedLog) {
  ProcessDevnet d(3, temp_dir("catchup"));
  // Snapshots every 300 entries, 50 kept behind: 1,500 blocks compact the
  // log far past the stopped node.
  d.set_extra_args({"--snapshot-interval", "300", "--snapshot-keep", "50"});
  ASSERT_TRUE(d.start_all());
  int down = (d.leader(10000) + 1) % 3;
  d.terminate(down);
  int up = (down + 1) % 3;
  PubKey prov = d.key("gz-supercomputing").pubkey;
  // One transaction per block: submitted one after another, each waiting to commit.
  const int kBlocks = 1500;
  int committed = 0;
  for (int k = 0; k < kBlocks; ++k) {
    auto tx = d.make("gd-robotics", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
    if (submit_committed(d, up, tx)) ++committed;
  }
  EXPECT_EQ(committed, kBlocks);
  uint64_t height = height_of(d, up);
  ASSERT_GE(height, static_cast<uint64_t>(kBlocks));
  auto st = d.call(up, "node_status", nlohmann::json::object());
  ASSERT_TRUE(st && st->contains("result"));
  EXPECT_GT((*st)["result"]["log_first_index"].get<uint64_t>(), 1000u) << "log not compacted";
  d.start(down);
  ASSERT_TRUE(d.wait_ready(down, 10000));
  ASSERT_TRUE(d.wait_height(down, height, 60000)) << d.log_path(down);
  auto down_st = d.call(down, "node_status", nlohmann::json::object());
  ASSERT_TRUE(down_st && down_st->contains("result"));
  EXPECT_GT((*down_st)["result"]["log_first_index"].get<uint64_t>(), 1000u)
      << "caught up without a snapshot";
  std::string hash;
  ASSERT_TRUE(converge(d, 30000, &hash));
  // And it serves what it received: the balance after all those blocks.
  auto p = d.call(down, "participant_get", {{"pubkey", to_hex(prov)}});
  ASSERT_TRUE(p && p->contains("result"));
  EXPECT_EQ((*p)["result"]["balance"], kBlocks);
}

// A crash in the middle of installing a received snapshot: after Raft stored
// it and before the state database switched to it, and after the switch but
// before the checkpoint was made. On restart the node finishes the install
// and catches up, with the cluster's state hash.
TEST(ClusterProcessTest, CrashWhileInstallingASnapshotIsFinishedOnRestart) {
  ProcessDevnet d(3, temp_dir("snapshot-crash"));
  d.set_extra_args({"--snapshot-interval", "100", "--snapshot-keep", "20"});
  ASSERT_TRUE(d.start_all());
  const int down = (d.leader(10000) + 1) % 3;
  const int up = (down + 1) % 3;
  const PubKey prov = d.key("gz-supercomputing").pubkey;
  int paid = 0;
  for (const char* point : {"snapshot_stored", "state_switched"}) {
    SCOPED_TRACE(point);
    d.terminate(down);
    // One transaction per block: 300 blocks compact the log past the stopped node.
    for (int k = 0; k < 300; ++k) {
      auto tx = d.make("gd-robotics", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
      ASSERT_TRUE(submit_committed(d, up, tx));
      ++paid;
    }
    const uint64_t height = height_of(d, up);
    d.set_env(down, {std::string("SUANLI_CRASH_AT=") + point});
    d.start(down);
    EXPECT_EQ(d.wait_exit(down, 30000), std::optional<int>(node::kCrashPointExit))
        << d.log_path(down);
    d.set_env(down, {});
    d.start(down);
    ASSERT_TRUE(d.wait_ready(down, 10000)) << d.log_path(down);
    ASSERT_TRUE(d.wait_height(down, height, 30000)) << d.log_path(down);
    std::string hash;
    ASSERT_TRUE(converge(d, 30000, &hash));
    auto p = d.call(down, "participant_get", {{"pubkey", to_hex(prov)}});
    ASSERT_TRUE(p && p->contains("result"));
    EXPECT_EQ((*p)["result"]["balance"], paid);
  }
  std::ifstream log(d.log_path(down));
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("crash point snapshot_stored"), std::string::npos);
  EXPECT_NE(text.find("crash point state_switched"), std::string::npos);
  // The first crash left Raft ahead of the state database: start-up finished it.
  EXPECT_NE(text.find("finished installing the snapshot at raft index"), std::string::npos);
}

}  // namespace
}  // namespace suanli::testing
