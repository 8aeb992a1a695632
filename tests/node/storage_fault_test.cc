// Both databases through FaultFs: a full disk refuses writes without
// changing anything, Resume() brings writes back, and a power loss keeps
// what was synced.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>

#include "consensus/codec.h"
#include "consensus/memory_storage.h"
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
    const consensus::HardState term1{1, 1, 0};
    ASSERT_TRUE(raft.save(&term1, {entry(1, 1), entry(2, 1)}));
    fs->set_no_space(true);
    // Entries go to the segment files.
    Status s = raft.save(nullptr, {entry(3, 1)});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code(), "no_space") << s.to_string();
    EXPECT_EQ(raft.last_index(), 2u);
    // A new term goes to the database first.
    const consensus::HardState term2{2, 2, 1};
    s = raft.save(&term2, {entry(3, 2)});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code(), "no_space") << s.to_string();
    EXPECT_EQ(raft.last_index(), 2u);
    EXPECT_EQ(raft.hard_state(), term1);
    // RocksDB's own recovery runs at once, fails and makes the error fatal:
    // resume() must reopen the database.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(raft.resume()) << "no space yet";
    EXPECT_FALSE(raft.save(&term2, {entry(3, 2)}));
    EXPECT_EQ(raft.last_index(), 2u);
    ASSERT_TRUE(raft.entries(1, 3, UINT64_MAX)) << "reads go on";
    fs->set_no_space(false);
    ASSERT_TRUE(until_ok(
        [&] {
          return raft.save(&term2, {entry(3, 2), entry(4, 2)});
        },
        [&] { return raft.resume(); }));
    EXPECT_EQ(raft.last_index(), 4u);
    EXPECT_EQ(raft.hard_state(), term2);
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
  EXPECT_EQ((*es)[3].data, entry(4, 2).data);
  EXPECT_EQ((*es)[3].term, 2u);
  EXPECT_EQ((*st)->hard_state(), (consensus::HardState{2, 2, 1}));
  std::filesystem::remove_all(dir);
}

// A hard state whose commit index alone changed is saved without fsync
// (consensus::must_sync): a power loss may take it back, never the entries or
// a term or vote, and never so that the commit index runs ahead of the log.
// A new term saved with entries is synced before them, with its commit index
// cut to what was already durable.
TEST(StorageFaultTest, UnsyncedCommitIndexMayBeLostButNothingSyncedIs) {
  const std::string dir = temp_dir("storage-fault-commit");
  auto fs = std::make_shared<FaultFs>();
  auto env = FaultFs::env(fs);
  {
    auto st = RaftStorage::open(dir, env.get());
    ASSERT_TRUE(st) << st.status().to_string();
    RaftStorage& raft = **st;
    const consensus::HardState synced{2, 1, 1};
    ASSERT_TRUE(raft.save(&synced, {entry(1, 1), entry(2, 2), entry(3, 2)}, true));
    const consensus::HardState commit_only{2, 1, 3};
    ASSERT_TRUE(raft.save(&commit_only, {}, false));
    EXPECT_EQ(raft.hard_state(), commit_only);
    fs->freeze();
  }
  EXPECT_GT(fs->power_loss(), 0u);
  auto st = RaftStorage::open(dir, env.get());
  ASSERT_TRUE(st) << st.status().to_string();
  // Term and vote survive; the commit index was written ahead of no entry.
  EXPECT_EQ((*st)->hard_state(), (consensus::HardState{2, 1, 0}));
  EXPECT_EQ((*st)->last_index(), 3u);
  // A later synced hard-state write (a vote) makes the commit index durable.
  const consensus::HardState commit_only{2, 1, 2};
  ASSERT_TRUE((*st)->save(&commit_only, {}, false));
  ASSERT_TRUE((*st)->save(nullptr, {entry(4, 2)}, true));
  const consensus::HardState voted{3, 2, 2};
  ASSERT_TRUE((*st)->save(&voted, {}, true));
  // A commit index given with the entries it covers is kept back to the
  // durable log in the synced write, then written in full after them.
  const consensus::HardState ahead{4, 0, 6};
  ASSERT_TRUE((*st)->save(&ahead, {entry(5, 4), entry(6, 4)}, true));
  EXPECT_EQ((*st)->hard_state(), ahead);
  fs->freeze();
  st->reset();
  fs->power_loss();
  auto again = RaftStorage::open(dir, env.get());
  ASSERT_TRUE(again) << again.status().to_string();
  EXPECT_EQ((*again)->hard_state(), (consensus::HardState{4, 0, 4}));
  EXPECT_EQ((*again)->last_index(), 6u);
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
    ASSERT_TRUE(until_ok(
        [&] {
          return state.commit({{a, "3"}, {b, "3"}}, StateStore::Sync::kNo);
        },
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

// Random sequences of Raft log writes (appends that replace a conflicting
// suffix, hard states, snapshots created and received, compaction), each
// mirrored on a MemoryStorage once RaftStorage reports it done. Some steps
// meet a full disk (refused, then resume()), segments are small so that
// appends roll over and conflicts cross files, and the power goes at a random
// step; after the reopen the log, term, vote and snapshot are exactly those
// of the last write that succeeded.
TEST(StorageFaultTest, RaftLogAfterPowerLossIsTheLastSuccessfulWrite) {
  size_t writes_lost = 0;
  size_t refused = 0;
  for (uint32_t seed = 1; seed <= 25; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    const std::string dir = temp_dir("raft-power-" + std::to_string(seed));
    auto fs = std::make_shared<FaultFs>();
    auto env = FaultFs::env(fs);
    consensus::MemoryStorage model;
    const int steps = 40;
    const int power_at = static_cast<int>(rng() % steps);
    {
      auto st = RaftStorage::open(dir, env.get(), 600);
      ASSERT_TRUE(st) << st.status().to_string();
      RaftStorage& raft = **st;
      consensus::Term term = 1;
      for (int step = 0; step < steps; ++step) {
        if (step == power_at) fs->freeze();
        const bool full = step < power_at && rng() % 8 == 0;
        const size_t lost_before = writes_lost;
        fs->set_no_space(full);
        // After the step: a refused write is resumed from before the next.
        struct Refill {
          FaultFs& fs;
          RaftStorage& raft;
          bool full;
          const size_t& lost;
          size_t before;
          size_t& refused;
          ~Refill() {
            fs.set_no_space(false);
            if (!full) return;
            if (lost > before) ++refused;
            EXPECT_TRUE(until_ok([] { return Status::ok(); }, [&] { return raft.resume(); }));
          }
        } refill{*fs, raft, full, writes_lost, lost_before, refused};
        const consensus::Index first = model.first_index();
        const consensus::Index last = model.last_index();
        const consensus::Index snap = model.snapshot()->meta.index;
        const uint32_t op = rng() % 10;
        if (op < 6) {
          // Append from somewhere in the log (a conflict) or at its end.
          if (rng() % 3 == 0) ++term;
          // As in Raft, a conflict never reaches a committed entry, and the
          // commit index never goes back.
          const consensus::Index commit = model.hard_state().commit;
          const consensus::Index lowest = std::max(first, commit + 1);
          consensus::Index from = last + 1;
          if (last >= lowest && rng() % 3 == 0) from = lowest + rng() % (last - lowest + 1);
          std::vector<consensus::Entry> es;
          for (uint32_t k = 0, n = 1 + rng() % 5; k < n; ++k) es.push_back(entry(from + k, term));
          const consensus::HardState hs{term, 1 + rng() % 3,
                                        std::max(commit, std::min(from - 1, snap + 1))};
          const bool with_hs = rng() % 2 == 0;
          if (raft.save(with_hs ? &hs : nullptr, es)) {
            model.append(es);
            if (with_hs) model.set_hard_state(hs);
          } else {
            ++writes_lost;
          }
        } else if (op < 8 && last > snap && last >= first) {
          const consensus::Index at = snap + 1 + rng() % (last - snap);
          const consensus::ConfState cs{{1, 2, 3}, {4}};
          const std::string data = "app@" + std::to_string(at);
          if (raft.create_snapshot(at, cs, data)) {
            ASSERT_TRUE(model.create_snapshot(at, cs, data));
            if (rng() % 2 == 0 && at > first) {
              if (raft.compact(at)) {
                ASSERT_TRUE(model.compact(at));
              } else {
                ++writes_lost;
              }
            }
          } else {
            ++writes_lost;
          }
        } else if (op == 8) {
          // A snapshot from the leader replaces the whole log.
          ++term;
          const consensus::Snapshot received{{last + 3, term, {{1, 2}, {}}}, "received"};
          if (raft.apply_snapshot(received)) {
            ASSERT_TRUE(model.apply_snapshot(received));
          } else {
            ++writes_lost;
          }
        }
      }
      if (power_at >= steps) fs->freeze();
    }
    fs->power_loss();
    auto st = RaftStorage::open(dir, env.get(), 600);
    ASSERT_TRUE(st) << st.status().to_string();
    RaftStorage& back = **st;
    // Term and vote as last saved; the commit index is volatile and may lag.
    EXPECT_EQ(back.hard_state().term, model.hard_state().term);
    EXPECT_EQ(back.hard_state().vote, model.hard_state().vote);
    EXPECT_LE(back.hard_state().commit, model.hard_state().commit);
    ASSERT_EQ(back.first_index(), model.first_index());
    ASSERT_EQ(back.last_index(), model.last_index());
    for (consensus::Index i = model.first_index() - 1; i <= model.last_index(); ++i) {
      EXPECT_EQ(*back.term(i), *model.term(i)) << "index " << i;
    }
    if (model.last_index() >= model.first_index()) {
      EXPECT_EQ(*back.entries(model.first_index(), model.last_index() + 1, UINT64_MAX),
                *model.entries(model.first_index(), model.last_index() + 1, UINT64_MAX));
    }
    EXPECT_EQ(back.snapshot()->meta, model.snapshot()->meta);
    EXPECT_EQ(back.snapshot()->data, model.snapshot()->data);
    st->reset();  // no background work is left in the directory
    std::filesystem::remove_all(dir);
  }
  EXPECT_GT(writes_lost, refused) << "the power never went in the middle of a run";
  EXPECT_GT(refused, 0u) << "the disk was never full";
}

}  // namespace
}  // namespace suanli::node::testing
