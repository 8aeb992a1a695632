// RaftStorage: the consensus Storage on RocksDB. A reopen recovers exactly
// what was saved; a RaftCore runs on it across a restart.
#include "node/storage/raft_storage.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <stdlib.h>

#include <filesystem>

#include "common/bytes.h"
#include "consensus/codec.h"
#include "consensus/raft_core.h"
#include "tests/node/cluster_util.h"

namespace suanli::node {
namespace {

namespace fs = std::filesystem;
using consensus::ConfState;
using consensus::Entry;
using consensus::EntryType;
using consensus::HardState;

struct TempDir : testing::TempDir {
  TempDir() : testing::TempDir("raft") {}
  std::string db() const { return sub("raft"); }
};

std::vector<Entry> ents(consensus::Index first, const std::vector<consensus::Term>& terms) {
  std::vector<Entry> out;
  for (size_t i = 0; i < terms.size(); ++i) {
    out.push_back(Entry{terms[i], first + i, EntryType::kNormal, "d" + std::to_string(first + i)});
  }
  return out;
}

std::unique_ptr<RaftStorage> open_ok(const std::string& path) {
  Result<std::unique_ptr<RaftStorage>> s = RaftStorage::open(path);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(*s) : nullptr;
}

TEST(RaftStorageTest, ReopenRecoversEntriesAndHardState) {
  TempDir dir;
  {
    auto s = open_ok(dir.db());
    EXPECT_EQ(s->first_index(), 1u);
    EXPECT_EQ(s->last_index(), 0u);
    const HardState hs{3, 2, 2};
    ASSERT_TRUE(s->save(&hs, ents(1, {1, 2, 3})).is_ok());
  }
  auto s = open_ok(dir.db());
  EXPECT_EQ(s->hard_state(), (HardState{3, 2, 2}));
  EXPECT_EQ(s->last_index(), 3u);
  EXPECT_EQ(*s->term(2), 2u);
  EXPECT_EQ(*s->entries(1, 4, UINT64_MAX), ents(1, {1, 2, 3}));
  EXPECT_EQ(s->entries(1, 4, 1)->size(), 1u);
}

TEST(RaftStorageTest, SaveReplacesConflictingSuffix) {
  TempDir dir;
  auto s = open_ok(dir.db());
  ASSERT_TRUE(s->save(nullptr, ents(1, {1, 1, 1, 1})).is_ok());
  ASSERT_TRUE(s->save(nullptr, ents(3, {2})).is_ok());
  EXPECT_EQ(s->last_index(), 3u);
  s.reset();
  s = open_ok(dir.db());
  EXPECT_EQ(s->last_index(), 3u);
  EXPECT_EQ(*s->term(3), 2u);
  EXPECT_EQ(s->term(4).status().code(), consensus::kErrUnavailable);
}

TEST(RaftStorageTest, CompactionAndSnapshotSurviveReopen) {
  TempDir dir;
  {
    auto s = open_ok(dir.db());
    ASSERT_TRUE(s->save(nullptr, ents(1, {1, 1, 2, 2, 3})).is_ok());
    ASSERT_TRUE(s->create_snapshot(4, ConfState{{1, 2, 3}, {4}}, "app-state").is_ok());
    ASSERT_TRUE(s->compact(4).is_ok());
  }
  auto s = open_ok(dir.db());
  EXPECT_EQ(s->first_index(), 5u);
  EXPECT_EQ(*s->term(4), 2u);
  EXPECT_EQ(s->term(3).status().code(), consensus::kErrCompacted);
  EXPECT_EQ(s->snapshot()->meta.index, 4u);
  EXPECT_EQ(s->snapshot()->data, "app-state");
  EXPECT_EQ(s->conf_state().learners, std::vector<consensus::NodeId>{4});
  consensus::Snapshot newer{{10, 5, ConfState{{1}, {}}}, "newer"};
  ASSERT_TRUE(s->apply_snapshot(newer).is_ok());
  s.reset();
  s = open_ok(dir.db());
  EXPECT_EQ(s->first_index(), 11u);
  EXPECT_EQ(s->last_index(), 10u);
  EXPECT_EQ(*s->term(10), 5u);
  EXPECT_EQ(s->snapshot()->data, "newer");
}

TEST(RaftStorageTest, RaftCoreRestartsFromPersistedState) {
  TempDir dir;
  consensus::RaftConfig config;
  config.id = 1;
  consensus::Index committed = 0;
  {
    auto s = open_ok(dir.db());
    ASSERT_TRUE(s->bootstrap({1}).is_ok());
    consensus::RaftCore core(config, *s);
    auto drive = [&]() {
      while (core.has_ready()) {
        consensus::Ready rd = core.ready();
        ASSERT_TRUE(s->save(rd.hard_state ? &*rd.hard_state : nullptr, rd.entries).is_ok());
        core.advance(rd);
      }
    };
    drive();
    core.campaign();
    drive();
    ASSERT_EQ(core.role(), consensus::StateRole::kLeader);
    ASSERT_TRUE(core.propose("hello").is_ok());
    drive();
    committed = core.log().committed();
    EXPECT_EQ(committed, 3u);  // bootstrap entry, empty entry, "hello"
  }
  auto s = open_ok(dir.db());
  consensus::RaftCore core(config, *s);
  EXPECT_EQ(core.term(), 2u);
  EXPECT_EQ(core.vote(), 1u);
  EXPECT_EQ(core.log().committed(), committed);
  EXPECT_EQ((*s->entries(3, 4, UINT64_MAX))[0].data, "hello");
}

// Keys in the database at `path` that start with `prefix`.
size_t keys_with_prefix(const std::string& path, char prefix) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), path, &raw);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return 0;
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  size_t n = 0;
  for (it->Seek(std::string(1, prefix)); it->Valid() && it->key()[0] == prefix; it->Next()) ++n;
  return n;
}

// A database written by an earlier version kept the entries as "e" keys:
// opening it moves them into segment files, once, and the log is the same.
TEST(RaftStorageTest, EntriesOfAnEarlierVersionMoveIntoSegments) {
  TempDir dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.db(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteBatch batch;
    std::string compact;
    put_u64_be(compact, 2);
    put_u64_be(compact, 1);
    ASSERT_TRUE(batch.Put("c", compact).ok());
    ASSERT_TRUE(batch.Put("h", consensus::encode_hard_state(HardState{3, 2, 5})).ok());
    for (const Entry& e : ents(3, {1, 2, 2, 3})) {
      std::string key = "e";
      put_u64_be(key, e.index);
      ASSERT_TRUE(batch.Put(key, consensus::encode_entry(e)).ok());
    }
    ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  EXPECT_EQ(keys_with_prefix(dir.db(), 'e'), 4u);
  for (int round = 0; round < 2; ++round) {
    auto s = open_ok(dir.db());
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->first_index(), 3u);
    EXPECT_EQ(s->last_index(), 6u);
    EXPECT_EQ(s->hard_state(), (HardState{3, 2, 5}));
    EXPECT_EQ(*s->term(2), 1u);
    EXPECT_EQ(*s->entries(3, 7, UINT64_MAX), ents(3, {1, 2, 2, 3}));
    s.reset();
    EXPECT_EQ(keys_with_prefix(dir.db(), 'e'), 0u);
  }
  size_t segments = 0;
  for (const auto& f : fs::directory_iterator(fs::path(dir.db()) / "log")) {
    segments += f.path().extension() == ".seg" ? 1 : 0;
  }
  EXPECT_EQ(segments, 1u) << "moved once";
}

}  // namespace
}  // namespace suanli::node
