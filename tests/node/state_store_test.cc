#include "node/storage/state_store.h"

#include <gtest/gtest.h>
#include <rocksdb/convenience.h>
#include <rocksdb/utilities/options_util.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/mem_kv.h"
#include "ledger/store.h"
#include "node/storage/rocks.h"
#include "tests/node/cluster_util.h"

namespace suanli::node {
namespace {

namespace fs = std::filesystem;
using ledger::kCfBlocks;
using ledger::kCfMeta;
using ledger::kCfState;
using ledger::kCfTxIndex;
using ledger::WriteSet;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// Each test's own directory.
struct StateDir : testing::TempDir {
  StateDir() : testing::TempDir("state") {}
};

std::string key(char cf, std::string_view rest) { return std::string(1, cf) + std::string(rest); }

Pairs scan_all(const ledger::KvRead& kv, std::string_view start = std::string_view(),
               std::string_view end = "\xff") {
  Pairs out;
  kv.scan(start, end, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  return out;
}

std::unique_ptr<StateStore> open_store(const std::string& path) {
  auto store = StateStore::open(path);
  EXPECT_TRUE(store) << store.status().to_string();
  return store ? std::move(*store) : nullptr;
}

TEST(StateStoreTest, CommitGetAndScanPerColumnFamily) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_NE(store, nullptr);
  WriteSet w;
  for (char cf : {kCfState, kCfTxIndex, kCfBlocks, kCfMeta}) {
    w[key(cf, "a")] = std::string(1, cf) + "1";
    w[key(cf, "b")] = std::string(1, cf) + "2";
    w[key(cf, std::string("\x00\xff", 2))] = "binary";
  }
  w[key(kCfState, "")] = "empty rest";
  ASSERT_TRUE(store->commit(w));
  EXPECT_EQ(store->get(key(kCfState, "a")), "s1");
  EXPECT_EQ(store->get(key(kCfTxIndex, "b")), "t2");
  EXPECT_EQ(store->get(key(kCfBlocks, std::string("\x00\xff", 2))), "binary");
  EXPECT_EQ(store->get(key(kCfState, "")), "empty rest");
  EXPECT_EQ(store->get(key(kCfMeta, "c")), std::nullopt);
  EXPECT_EQ(store->get("x-no-family"), std::nullopt);
  EXPECT_EQ(store->get(""), std::nullopt);

  Pairs state = scan_all(*store, "s", "t");
  ASSERT_EQ(state.size(), 4u);
  EXPECT_EQ(state[0].first, "s");
  EXPECT_EQ(state[1].first, key(kCfState, std::string("\x00\xff", 2)));
  EXPECT_EQ(state[2], (std::pair<std::string, std::string>("sa", "s1")));
  EXPECT_EQ(state[3], (std::pair<std::string, std::string>("sb", "s2")));
  Pairs meta_from_a = scan_all(*store, "ma", "mb");
  ASSERT_EQ(meta_from_a.size(), 1u);
  EXPECT_EQ(meta_from_a[0].second, "m1");
  EXPECT_TRUE(scan_all(*store, "tb", "ta").empty());
  EXPECT_TRUE(scan_all(*store, "s", "s").empty());

  int visited = 0;
  store->scan("", "\xff", [&](std::string_view, std::string_view) { return ++visited < 3; });
  EXPECT_EQ(visited, 3);
}

TEST(StateStoreTest, CommitIsAtomicAcrossFamilies) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->commit({{"sx", "1"}, {"sy", "2"}, {"t1", "3"}, {"b1", "4"}}));
  WriteSet block = {
      {"sx", std::nullopt}, {"sy", "22"},      {"sz", "33"},      {"t1", std::nullopt},
      {"t2", "new"},        {"b2", "block 2"}, {"mapplied", "2"}, {"nonexistent", std::nullopt}};
  block.erase("nonexistent");
  block["mmissing"] = std::nullopt;  // deleting a missing key is fine
  ASSERT_TRUE(store->commit(block));
  EXPECT_EQ(scan_all(*store), (Pairs{{"b1", "4"},
                                     {"b2", "block 2"},
                                     {"mapplied", "2"},
                                     {"sy", "22"},
                                     {"sz", "33"},
                                     {"t2", "new"}}));

  // A key that names no family fails the whole WriteSet before anything is written.
  Status bad = store->commit({{"sq", "would be written"}, {"zz", "bad"}, {"sy", std::nullopt}});
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.code(), "invalid_argument");
  bad = store->commit({{"", "empty key"}, {"sr", "x"}});
  EXPECT_FALSE(bad);
  EXPECT_EQ(store->get("sq"), std::nullopt);
  EXPECT_EQ(store->get("sr"), std::nullopt);
  EXPECT_EQ(store->get("sy"), "22");
  EXPECT_TRUE(store->commit({}));
}

TEST(StateStoreTest, DataSurvivesCloseAndReopen) {
  StateDir dir;
  std::string path = dir.sub("db");
  Pairs before;
  {
    auto store = open_store(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->commit({{"sa", "1"}, {"tb", "2"}, {"bc", "3"}, {"md", "4"}}));
    ASSERT_TRUE(store->commit({{"sa", std::nullopt}, {"se", "5"}}));
    before = scan_all(*store);
  }
  auto store = open_store(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(scan_all(*store), before);
  EXPECT_EQ(store->get("md"), "4");
  EXPECT_EQ(store->get("sa"), std::nullopt);
}

TEST(StateStoreTest, SecondOpenOfTheSameDatabaseIsRefused) {
  StateDir dir;
  auto first = open_store(dir.sub("db"));
  ASSERT_NE(first, nullptr);
  auto second = StateStore::open(dir.sub("db"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.status().code(), "busy") << second.status().to_string();
}

TEST(StateStoreTest, OpenFailsCleanlyOnUnusablePath) {
  StateDir dir;
  std::string file = dir.sub("file");
  ASSERT_TRUE(open_store(dir.sub("ok")) != nullptr);
  { std::ofstream(file) << "x"; }
  auto r = StateStore::open(file + "/db");
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.status().code().empty());
}

std::string random_key(std::mt19937_64& rng) {
  static constexpr char kFamilies[] = {kCfState, kCfTxIndex, kCfBlocks, kCfMeta};
  std::string k(1, kFamilies[rng() % 4]);
  size_t len = rng() % 4;
  for (size_t i = 0; i < len; ++i) k.push_back(static_cast<char>("ab\x00\xff"[rng() % 4]));
  return k;
}

// The same WriteSets through MemKv and StateStore leave identical contents, and
// every get and range scan (across families too) answers alike.
TEST(StateStoreTest, MatchesMemKvUnderRandomWriteSets) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_NE(store, nullptr);
  ledger::MemKv mem;
  std::mt19937_64 rng(20260101);  // fixed seed: failures replay
  for (int round = 0; round < 60; ++round) {
    WriteSet w;
    size_t n = 1 + rng() % 20;
    for (size_t i = 0; i < n; ++i) {
      std::string k = random_key(rng);
      if (rng() % 3 == 0) {
        w[k] = std::nullopt;
      } else {
        w[k] = "v" + std::to_string(round) + "." + std::to_string(i);
      }
    }
    mem.commit(w);
    ASSERT_TRUE(store->commit(w));
    ASSERT_EQ(scan_all(*store), scan_all(mem)) << "round " << round;
    for (int probe = 0; probe < 10; ++probe) {
      std::string a = random_key(rng);
      std::string b = random_key(rng);
      if (b < a) std::swap(a, b);
      ASSERT_EQ(scan_all(*store, a, b), scan_all(mem, a, b)) << round << " [" << a << "," << b;
      ASSERT_EQ(store->get(a), mem.get(a));
    }
  }
  EXPECT_EQ(scan_all(*store, "m", "t"), scan_all(mem, "m", "t"));
  EXPECT_EQ(scan_all(*store, "", "s"), scan_all(mem, "", "s"));
}

// The ledger's own write pattern, which the memtable inserts with a hint per
// participant (node/storage/state_store.cc): participants rewritten block after
// block, their transaction-index keys growing with height, records in between.
// Reads, scans per participant and whole-family scans answer as MemKv does,
// also after a reopen (the memtables replayed from the WAL).
TEST(StateStoreTest, ParticipantRewritesAndIndexKeysReadBackInOrder) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_NE(store, nullptr);
  ledger::MemKv mem;
  std::mt19937_64 rng(20261207);  // fixed seed: failures replay
  std::vector<PubKey> parties(40);
  for (auto& pk : parties) {
    for (auto& b : pk) b = static_cast<uint8_t>(rng());
  }
  for (uint64_t height = 1; height <= 300; ++height) {
    WriteSet w;
    for (uint32_t index = 0; index < 20; ++index) {
      const PubKey& from = parties[rng() % parties.size()];
      const PubKey& to = parties[rng() % parties.size()];
      const std::string value = std::to_string(height) + "." + std::to_string(index);
      w[ledger::keys::participant(from)] = "from " + value;
      w[ledger::keys::participant(to)] = "to " + value;
      Hash32 hash;
      for (auto& b : hash) b = static_cast<uint8_t>(rng());
      w[ledger::keys::tx_record(hash)] = value;
      w[ledger::keys::participant_tx(from, height, index)] = value;
      w[ledger::keys::participant_tx(to, height, index)] = value;
    }
    if (height % 50 == 0) {
      w[ledger::keys::participant(parties[height % parties.size()])] = std::nullopt;
    }
    mem.commit(w);
    ASSERT_TRUE(store->commit(w));
    if (height % 100 == 0) {
      ASSERT_TRUE(store->flush_async());
    }
  }
  auto check = [&](const ledger::KvRead& kv) {
    ASSERT_EQ(scan_all(kv), scan_all(mem));
    for (const PubKey& pk : parties) {
      ASSERT_EQ(kv.get(ledger::keys::participant(pk)), mem.get(ledger::keys::participant(pk)));
      const std::string from = ledger::keys::participant_tx(pk, 0, 0);
      const std::string to = ledger::keys::participant_tx(pk, UINT64_MAX, UINT32_MAX);
      Pairs got = scan_all(kv, from, to);
      ASSERT_EQ(got, scan_all(mem, from, to));
      ASSERT_FALSE(got.empty());
      ASSERT_TRUE(std::is_sorted(got.begin(), got.end()));
    }
  };
  check(*store);
  store.reset();
  store = open_store(dir.sub("db"));
  ASSERT_NE(store, nullptr);
  check(*store);
}

// Memtable sizes differ between nodes (by their data directory), so that
// nodes applying the same blocks do not flush in the same second.
TEST(StateStoreTest, MemtableSizeFollowsThePathWithinBounds) {
  std::set<size_t> sizes;
  for (int i = 0; i < 40; ++i) {
    const std::string path = "/var/lib/suanli/n" + std::to_string(i) + "/state";
    const size_t bytes = memtable_bytes_for(path);
    EXPECT_GE(bytes, size_t{12} << 20) << path;
    EXPECT_LE(bytes, size_t{20} << 20) << path;
    EXPECT_EQ(bytes % (size_t{128} << 10), 0u) << path;
    EXPECT_EQ(bytes, memtable_bytes_for(path)) << "the same size on every call";
    sizes.insert(bytes);
  }
  EXPECT_GE(sizes.size(), 20u) << "sizes spread over the range";

  // The database itself runs with it: RocksDB's OPTIONS file of each family.
  StateDir dir;
  const std::string path = dir.sub("db");
  auto store = open_store(path);
  ASSERT_NE(store, nullptr);
  rocksdb::ConfigOptions config;
  config.ignore_unknown_options = true;
  config.ignore_unsupported_options = true;
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  ASSERT_TRUE(rocksdb::LoadLatestOptions(config, path, &db_options, &descriptors).ok());
  int families = 0;
  for (const auto& d : descriptors) {
    if (d.name == rocksdb::kDefaultColumnFamilyName) continue;
    EXPECT_EQ(d.options.write_buffer_size, memtable_bytes_for(path)) << d.name;
    ++families;
  }
  EXPECT_EQ(families, 4) << "blocks, meta, state and txindex";
}

TEST(StateStoreTest, CheckpointOpensAsAStoreWithTheSameContent) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->commit({{"sa", "1"}, {"tb", "2"}, {"bc", "3"}, {"md", "4"}}));
  ASSERT_TRUE(store->checkpoint(dir.sub("cp")));
  Pairs at_checkpoint = scan_all(*store);
  ASSERT_TRUE(store->commit({{"sa", std::nullopt}, {"sz", "after"}}));

  auto copy = open_store(dir.sub("cp"));
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(scan_all(*copy), at_checkpoint);
  EXPECT_EQ(copy->get("sz"), std::nullopt);
  ASSERT_TRUE(copy->commit({{"sq", "copy only"}}));
  EXPECT_EQ(store->get("sq"), std::nullopt);

  // The target must not exist yet.
  Status again = store->checkpoint(dir.sub("cp"));
  EXPECT_FALSE(again);
}

size_t sst_files(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) n += e.path().extension() == ".sst";
  return n;
}

TEST(StateStoreTest, FlushAsyncWritesTablesWhileCommitsGoOn) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(store->commit({{key(kCfState, "k" + std::to_string(i)), std::to_string(i)},
                               {key(kCfBlocks, "b" + std::to_string(i)), "block"}},
                              StateStore::Sync::kNo));
  }
  EXPECT_EQ(sst_files(dir.sub("db")), 0u);  // all still in the memtables
  ASSERT_TRUE(store->flush_async());
  // Commits made while the flush runs are kept as well.
  ASSERT_TRUE(store->commit({{key(kCfState, "during"), "x"}}));
  for (int i = 0; i < 500 && sst_files(dir.sub("db")) < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(sst_files(dir.sub("db")), 2u);  // one table per family that had data
  EXPECT_EQ(store->get(key(kCfState, "k199")), std::optional<std::string>("199"));
  EXPECT_EQ(store->get(key(kCfState, "during")), std::optional<std::string>("x"));

  ASSERT_TRUE(store->checkpoint(dir.sub("cp")));
  auto copy = open_store(dir.sub("cp"));
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(scan_all(*copy), scan_all(*store));
  EXPECT_EQ(scan_all(*copy).size(), 401u);
}

TEST(StateStoreTest, SwitchToServesTheOtherDatabaseWhileReadersRun) {
  StateDir dir;
  auto store = open_store(dir.sub("a"));
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit({{key(kCfState, "k"), std::string("old")}}));
  {
    auto other = open_store(dir.sub("b"));
    ASSERT_TRUE(other);
    ASSERT_TRUE(other->commit(
        {{key(kCfState, "k"), std::string("new")}, {key(kCfMeta, "m"), std::string("1")}}));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!stop.load()) {
      auto v = store->get(key(kCfState, "k"));
      if (!v || (*v != "old" && *v != "new")) ++bad;
      auto all = scan_all(*store);
      if (all.empty()) ++bad;
    }
  });
  // A database that does not open changes nothing.
  ASSERT_TRUE(fs::create_directories(dir.sub("locked")));
  { std::ofstream(dir.sub("locked") + "/CURRENT") << "garbage\n"; }
  EXPECT_FALSE(store->switch_to(dir.sub("locked")));
  EXPECT_EQ(store->get(key(kCfState, "k")), "old");
  ASSERT_TRUE(store->switch_to(dir.sub("b")));
  stop = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(store->path(), dir.sub("b"));
  EXPECT_EQ(store->get(key(kCfState, "k")), "new");
  EXPECT_EQ(scan_all(*store).size(), 2u);
  ASSERT_TRUE(store->commit({{key(kCfState, "z"), std::string("after")}}));
  store.reset();
  // The old database was closed: it opens again, unchanged.
  auto old = open_store(dir.sub("a"));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->get(key(kCfState, "k")), "old");
  EXPECT_FALSE(old->get(key(kCfState, "z")));
}

TEST(StateStoreTest, ReadCacheKeepsStateAndMetaAndFollowsCommits) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_TRUE(store);
  const std::string k = key(kCfState, "participant");
  const std::string t = key(kCfTxIndex, "record");
  ASSERT_TRUE(store->commit({{k, std::string("v1")}, {t, std::string("r")}}));
  EXPECT_EQ(store->get(k), "v1");  // a miss that fills the cache
  const uint64_t hits = store->cache().hits();
  EXPECT_EQ(store->get(k), "v1");
  EXPECT_EQ(store->cache().hits(), hits + 1);
  EXPECT_EQ(store->get(t), "r");  // transaction records are not cached
  EXPECT_EQ(store->cache().size(), 1u);
  ASSERT_TRUE(store->commit({{k, std::string("v2")}}));
  EXPECT_EQ(store->get(k), "v2");
  EXPECT_EQ(store->cache().hits(), hits + 2);  // the commit updated the entry
  ASSERT_TRUE(store->commit({{k, std::nullopt}}));
  EXPECT_FALSE(store->get(k));
  // Absence is cached too, and a later put replaces it.
  const std::string m = key(kCfMeta, "height");
  EXPECT_FALSE(store->get(m));
  EXPECT_FALSE(store->get(m));
  ASSERT_TRUE(store->commit({{m, std::string("7")}}));
  EXPECT_EQ(store->get(m), "7");
  // A failed commit (a key of no family) writes nothing, in the cache neither.
  EXPECT_FALSE(store->commit({{m, std::string("8")}, {"?bad", std::string("x")}}));
  EXPECT_EQ(store->get(m), "7");
}

TEST(StateStoreTest, ReadCacheIsBounded) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_TRUE(store);
  const size_t n = ReadCache::kShards * ReadCache::kEntriesPerShardMax * 2;
  for (size_t i = 0; i < n; ++i) store->get(key(kCfState, std::to_string(i)));
  EXPECT_LE(store->cache().size(), ReadCache::kShards * ReadCache::kEntriesPerShardMax);
  EXPECT_GT(store->cache().size(), 0u);
}

// Readers racing a writer: once a commit has returned, no read may see a
// value older than it (a reader that missed before the commit must not put
// the old value into the cache after it).
TEST(StateStoreTest, ReadCacheNeverServesAValueOlderThanTheLastCommit) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_TRUE(store);
  constexpr int kKeys = 4;
  std::array<std::atomic<uint64_t>, kKeys> committed{};
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_TRUE(store->commit({{key(kCfState, std::to_string(i)), std::to_string(0)}}));
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> stale{0}, reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937 rng(static_cast<unsigned>(r));
      while (!stop.load()) {
        const int i = static_cast<int>(rng() % kKeys);
        const uint64_t floor = committed[static_cast<size_t>(i)].load();
        auto v = store->get(key(kCfState, std::to_string(i)));
        if (!v || std::stoull(*v) < floor) ++stale;
        ++reads;
      }
    });
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(600);
  uint64_t value = 0;
  while (std::chrono::steady_clock::now() < until) {
    ++value;
    const int i = static_cast<int>(value % kKeys);
    ASSERT_TRUE(store->commit({{key(kCfState, std::to_string(i)), std::to_string(value)}},
                              StateStore::Sync::kNo));
    committed[static_cast<size_t>(i)] = value;
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale.load(), 0u) << "of " << reads.load() << " reads";
  EXPECT_GT(value, 100u);
  EXPECT_GT(reads.load(), 1000u);
}

// The race above, made to happen: a reader misses and reads the old value
// from the database, a commit of a new value returns, then the reader fills
// the cache. The next read must see the new value.
TEST(StateStoreTest, ReadCacheKeepsNoValueReadBeforeACommitThatReturned) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_TRUE(store);
  const std::string k = key(kCfState, "k");
  ASSERT_TRUE(store->commit({{k, std::string("old")}}));
  std::promise<void> read_done, commit_done;
  auto commit_done_future = commit_done.get_future();
  std::atomic<bool> armed{true};  // the first fill only
  store->TEST_set_before_fill([&] {
    if (!armed.exchange(false)) return;
    read_done.set_value();
    commit_done_future.wait();
  });
  std::optional<std::string> seen;
  std::thread reader([&] { seen = store->get(k); });
  read_done.get_future().wait();
  ASSERT_TRUE(store->commit({{k, std::string("new")}}));
  commit_done.set_value();
  reader.join();
  EXPECT_EQ(seen, "old");           // it read before the commit
  EXPECT_EQ(store->get(k), "new");  // and left nothing stale behind
  EXPECT_EQ(store->get(k), "new");
}

// The scheduling policy of this process's threads named `name` (field 41 of
// /proc/self/task/<tid>/stat; SCHED_IDLE is 5).
std::vector<int> thread_policies(const std::string& name) {
  std::vector<int> out;
  for (const auto& e : fs::directory_iterator("/proc/self/task")) {
    std::ifstream comm(e.path() / "comm");
    std::string n;
    std::getline(comm, n);
    if (n != name) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    std::getline(stat, line);
    std::istringstream fields(line.substr(line.rfind(')') + 2));  // after "(comm) "
    std::string f;
    for (int i = 3; i <= 41 && fields >> f; ++i) {
      if (i == 41) out.push_back(std::stoi(f));
    }
  }
  return out;
}

TEST(StateStoreTest, CompactionsRunAtIdlePriority) {
  StateDir dir;
  auto store = open_store(dir.sub("db"));
  ASSERT_TRUE(store);
  // Enough flushed tables in one family for RocksDB to compact them.
  for (int round = 0; round < 6; ++round) {
    WriteSet w;
    for (int i = 0; i < 200; ++i) w[key(kCfState, std::to_string(round * 1000 + i))] = "v";
    ASSERT_TRUE(store->commit(w));
    ASSERT_TRUE(store->flush_async());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<int> low;
  for (int i = 0; i < 100 && low.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    low = thread_policies("rocksdb:low");
  }
  ASSERT_FALSE(low.empty()) << "no compaction thread ran";
  for (int policy : low) EXPECT_EQ(policy, 5) << "a compaction thread is not SCHED_IDLE";
  for (int policy : thread_policies("rocksdb:high")) EXPECT_EQ(policy, 0);  // flushes: SCHED_OTHER
}

}  // namespace
}  // namespace suanli::node
