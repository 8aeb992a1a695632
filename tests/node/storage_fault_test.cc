// Both databases through FaultFs: a full disk refuses writes without
// changing anything, Resume() brings writes back, and a power loss keeps
// what was synced.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <thread>

#include "consensus/codec.h"
#include "node/storage/raft_storage.h"
#include "node/storage/state_store.h"
#include "tests/node/cluster_util.h"
#include "tests/node/fault_fs.h"

namespace suanli::node::testing {
namespace {

consensus::Entry entry(consensus::Index i, consensus::Term t) {
  consensus::Entry e;
  e.index = i;
  e.term = t;
  e.data = std::string(100, 'x') + std::to_string(i);
  return e;
}

// Retries `write` after `resume` as the node does, for at most 10 s.
bool until_ok(const std::function<Status()>& write, const std::function<Status()>& resume) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    if (Status s = resume(); !s) ADD_FAILURE() << s.to_string();
    Status w = write();
    if (!w) std::printf("  %s\n", w.to_string().c_str());
    if (w) {
      std::printf("  written again after %lld ms\n",
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - start)
                                             .count()));
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(StorageFaultTest, RaftLogRefusesWritesOnAFullDiskAndResumes) {
  const std::string dir = temp_dir("storage-fault-raft");
  auto fs = std::make_shared<FaultFs>();
  auto env = FaultFs::env(fs);
  {
    auto st = RaftStorage::open(dir, env.get());
    ASSERT_TRUE(st) << st.status().to_string();
    RaftStorage& raft = **st;
    ASSERT_TRUE(raft.save(nullptr, {entry(1, 1), entry(2, 1)}));
    fs->set_no_space(true);
    Status s = raft.save(nullptr, {entry(3, 1)});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code(), "no_space") << s.to_string();
    EXPECT_EQ(raft.last_index(), 2u);
    // RocksDB's own recovery runs at once, fails and makes the error fatal:
    // resume() must reopen the database.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(raft.resume()) << "no space yet";
    EXPECT_FALSE(raft.save(nullptr, {entry(3, 1)}));
    EXPECT_EQ(raft.last_index(), 2u);
    ASSERT_TRUE(raft.entries(1, 3, UINT64_MAX)) << "reads go on";
    fs->set_no_space(false);
    ASSERT_TRUE(until_ok([&] { return raft.save(nullptr, {entry(3, 1), entry(4, 1)}); },
                         [&] { return raft.resume(); }));
    EXPECT_EQ(raft.last_index(), 4u);
    // Synced writes survive a power loss.
    fs->freeze();
  }
  fs->power_loss();
  auto st = RaftStorage::open(dir, env.get());
  ASSERT_TRUE(st) << st.status().to_string();
  EXPECT_EQ((*st)->last_index(), 4u);
  auto es = (*st)->entries(1, 5, UINT64_MAX);
  ASSERT_TRUE(es);
  ASSERT_EQ(es->size(), 4u);
  EXPECT_EQ((*es)[3].data, entry(4, 1).data);
  std::filesystem::remove_all(dir);
}

TEST(StorageFaultTest, StateCommitRefusedOnAFullDiskChangesNothingAndResumes) {
  const std::string dir = temp_dir("storage-fault-state");
  auto fs = std::make_shared<FaultFs>();
  auto env = FaultFs::env(fs);
  {
    auto st = StateStore::open(dir, env.get());
    ASSERT_TRUE(st) << st.status().to_string();
    StateStore& state = **st;
    const std::string a = std::string(1, ledger::kCfState) + "a";
    const std::string b = std::string(1, ledger::kCfState) + "b";
    ASSERT_TRUE(state.commit({{a, "1"}}, StateStore::Sync::kYes));
    fs->set_no_space(true);
    EXPECT_FALSE(state.commit({{a, "2"}, {b, "2"}}, StateStore::Sync::kNo));
    EXPECT_EQ(state.get(a), "1");  // reads go on, and see nothing of the failed commit
    EXPECT_EQ(state.get(b), std::nullopt);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(state.resume()) << "no space yet";
    EXPECT_EQ(state.get(a), "1") << "reads go on";
    fs->set_no_space(false);
    ASSERT_TRUE(until_ok([&] { return state.commit({{a, "3"}, {b, "3"}}, StateStore::Sync::kNo); },
                         [&] { return state.resume(); }));
    EXPECT_EQ(state.get(b), "3");
    fs->freeze();
  }
  // The unsynced commit is lost with the power; the synced one stays.
  EXPECT_GT(fs->power_loss(), 0u);
  auto st = StateStore::open(dir, env.get());
  ASSERT_TRUE(st) << st.status().to_string();
  EXPECT_EQ((*st)->get(std::string(1, ledger::kCfState) + "a"), "1");
  EXPECT_EQ((*st)->get(std::string(1, ledger::kCfState) + "b"), std::nullopt);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace suanli::node::testing
