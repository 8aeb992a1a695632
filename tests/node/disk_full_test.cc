// A node whose disk fills up (FaultFs refuses writes with "no space"): it
// stops accepting transactions with a clear error, the others go on, and
// once space returns it catches up without losing anything committed.
#include <gtest/gtest.h>

#include <thread>

#include "tests/node/cluster_util.h"
#include "tests/node/fault_fs.h"

namespace suanli::node::testing {
namespace {

struct FaultCluster {
  explicit FaultCluster(const std::string& name) : c(3, temp_dir(name)) {
    for (size_t i = 0; i < 3; ++i) {
      fs.push_back(std::make_shared<FaultFs>());
      c.options(i).env = FaultFs::env(fs.back());
    }
  }
  ledger::Tx transfer() {
    return c.make(++n % 2 ? "bj-buyer" : "gd-buyer", ledger::TxType::kTransfer,
                  ledger::Transfer{c.actor("gz-prov").key.pubkey, 1, ""});
  }
  bool storage_ok(size_t i) { return c.node(i).node_status()["storage_ok"].get<bool>(); }
  // Starts the cluster and commits one transaction; the leader's index.
  size_t start() {
    const int leader = c.start_all();
    EXPECT_GE(leader, 0);
    const auto l = static_cast<size_t>(std::max(leader, 0));
    EXPECT_EQ(c.commit(l, transfer()), std::nullopt);
    return l;
  }
  // Commits `count` transfers through node i; their hashes.
  std::vector<Hash32> commit(size_t i, int count) {
    std::vector<Hash32> hashes;
    for (int k = 0; k < count; ++k) {
      ledger::Tx tx = transfer();
      EXPECT_EQ(c.commit(i, tx), std::nullopt) << k;
      hashes.push_back(tx.hash);
    }
    return hashes;
  }
  Cluster c;
  std::vector<std::shared_ptr<FaultFs>> fs;
  int n = 0;
};

TEST(DiskFullTest, FollowerWithAFullDiskCatchesUpWhenSpaceReturns) {
  FaultCluster f("disk-full-follower");
  const size_t l = f.start();
  ASSERT_FALSE(HasFailure());
  const size_t victim = (l + 1) % 3;
  f.fs[victim]->set_no_space(true);
  const std::vector<Hash32> acked = f.commit(l, 20);  // the other two commit them
  ASSERT_TRUE(eventually([&] { return !f.storage_ok(victim); }, 5000));
  nlohmann::json st = f.c.node(victim).node_status();
  EXPECT_NE(st["storage_error"].get<std::string>().find("no space"), std::string::npos) << st;
  EXPECT_LT(f.c.node(victim).applied_height(), f.c.node(l).applied_height());
  // It refuses writes with a clear error and still answers reads.
  auto r = f.c.submit(victim, f.transfer());
  ASSERT_TRUE(std::holds_alternative<rpc::RpcError>(r));
  EXPECT_EQ(std::get<rpc::RpcError>(r).code, rpc::errc::kBusy);
  EXPECT_NE(std::get<rpc::RpcError>(r).message.find("storage write failed"), std::string::npos);

  f.fs[victim]->set_no_space(false);
  ASSERT_TRUE(eventually([&] { return f.storage_ok(victim); }, 10000));
  ASSERT_EQ(f.c.commit(l, f.transfer()), std::nullopt);
  ASSERT_TRUE(f.c.converged(10000));
  for (const Hash32& h : acked) EXPECT_TRUE(f.c.has_tx(victim, h));
  EXPECT_GT(f.fs[victim]->refused(), 0u);
  EXPECT_FALSE(f.c.node(victim).diverged());
}

// Only the state database is full: the follower still persists and
// acknowledges entries, and applies the block it could not commit once it
// can, not the one after it.
TEST(DiskFullTest, FollowerRetriesTheBlockItCouldNotCommit) {
  FaultCluster f("disk-full-state");
  const size_t l = f.start();
  ASSERT_FALSE(HasFailure());
  const size_t victim = (l + 1) % 3;
  ASSERT_TRUE(f.c.converged(5000));
  const uint64_t before = f.c.node(victim).applied_height();
  f.fs[victim]->set_no_space(true, f.c.options(victim).config.data_dir + "/state");
  const std::vector<Hash32> acked = f.commit(l, 10);
  ASSERT_TRUE(eventually([&] { return !f.storage_ok(victim); }, 5000));
  // Its Raft log keeps up; its state stays at the block before the full disk.
  const uint64_t last = f.c.node(l).node_status()["commit_index"];
  ASSERT_TRUE(eventually(
      [&] { return f.c.node(victim).node_status()["commit_index"].get<uint64_t>() >= last; },
      5000));
  EXPECT_EQ(f.c.node(victim).applied_height(), before);
  EXPECT_FALSE(f.c.has_tx(victim, acked.front()));

  f.fs[victim]->set_no_space(false);
  ASSERT_TRUE(eventually([&] { return f.storage_ok(victim); }, 10000));
  ASSERT_TRUE(f.c.converged(10000));
  for (const Hash32& h : acked) EXPECT_TRUE(f.c.has_tx(victim, h));
  EXPECT_FALSE(f.c.node(victim).diverged());
}

TEST(DiskFullTest, LeaderWithAFullDiskHandsOverAndLosesNothing) {
  FaultCluster f("disk-full-leader");
  const size_t old = f.start();
  ASSERT_FALSE(HasFailure());
  const size_t a = (old + 1) % 3;
  std::vector<Hash32> acked = f.commit(old, 5);

  f.fs[old]->set_no_space(true);
  // Through a follower: the old leader cannot write its log, so the
  // transaction commits only once the other two elect a new leader.
  std::vector<Hash32> pending;
  for (int k = 0; k < 10; ++k) {
    ledger::Tx tx = f.transfer();
    auto r = f.c.submit(a, tx);
    if (std::holds_alternative<Hash32>(r)) pending.push_back(tx.hash);
  }
  ASSERT_FALSE(pending.empty());
  ASSERT_TRUE(eventually([&] { return !f.storage_ok(old); }, 5000));
  auto r = f.c.submit(old, f.transfer());
  ASSERT_TRUE(std::holds_alternative<rpc::RpcError>(r));
  EXPECT_EQ(std::get<rpc::RpcError>(r).code, rpc::errc::kBusy);
  for (const Hash32& h : pending) {
    ASSERT_TRUE(eventually([&] { return f.c.has_tx(a, h); }, 10000)) << "a new leader commits";
    acked.push_back(h);
  }
  for (const Hash32& h : f.commit(a, 5)) acked.push_back(h);
  EXPECT_NE(f.c.node(a).node_status()["leader_id"], f.c.node(old).node_status()["node_id"]);

  f.fs[old]->set_no_space(false);
  ASSERT_TRUE(eventually([&] { return f.storage_ok(old); }, 10000));
  ASSERT_EQ(f.c.commit(a, f.transfer()), std::nullopt);
  ASSERT_TRUE(f.c.converged(10000));
  for (size_t i = 0; i < 3; ++i) {
    for (const Hash32& h : acked) EXPECT_TRUE(f.c.has_tx(i, h)) << "node " << i;
  }
  EXPECT_FALSE(f.c.node(old).diverged());
}

// Every disk full: nothing commits, no node crashes, and the cluster
// elects a leader and commits what was submitted once space returns.
TEST(DiskFullTest, WholeClusterFullStopsWritesAndResumes) {
  FaultCluster f("disk-full-all");
  const size_t l = f.start();
  ASSERT_FALSE(HasFailure());
  std::vector<Hash32> acked = f.commit(l, 3);
  for (auto& fs : f.fs) fs->set_no_space(true);
  ledger::Tx pending = f.transfer();
  ASSERT_TRUE(std::holds_alternative<Hash32>(f.c.submit(l, pending)));
  ASSERT_TRUE(eventually([&] { return !f.storage_ok(l); }, 5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // elections come and fail
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(f.c.has_tx(i, pending.hash)) << i;
  auto refused = f.c.submit(l, f.transfer());
  ASSERT_TRUE(std::holds_alternative<rpc::RpcError>(refused));
  EXPECT_EQ(std::get<rpc::RpcError>(refused).code, rpc::errc::kBusy);

  for (auto& fs : f.fs) fs->set_no_space(false);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(eventually([&] { return f.storage_ok(i); }, 10000)) << i;
  }
  ASSERT_GE(f.c.wait_leader(10000), 0);
  acked.push_back(pending.hash);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(eventually([&] { return f.c.has_tx(i, pending.hash); }, 10000)) << i;
  }
  ASSERT_TRUE(f.c.converged(10000));
  for (size_t i = 0; i < 3; ++i) {
    for (const Hash32& h : acked) EXPECT_TRUE(f.c.has_tx(i, h)) << i;
    EXPECT_FALSE(f.c.node(i).diverged());
  }
}

}  // namespace
}  // namespace suanli::node::testing
