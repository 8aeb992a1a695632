// The ledger on RocksDB gives the same state hashes and contents as on the
// in-memory store, and its state survives close and reopen.
#include <gtest/gtest.h>

#include <filesystem>

#include "node/storage/state_store.h"
#include "tests/ledger/property_util.h"
#include "tests/node/cluster_util.h"

namespace suanli::ledger::testing {
namespace {

std::map<std::string, std::string, std::less<>> dump(const KvRead& kv) {
  std::map<std::string, std::string, std::less<>> out;
  kv.scan(std::string(1, '\0'), std::string(1, '\xff'), [&](std::string_view k, std::string_view v) {
    out.emplace(std::string(k), std::string(v));
    return true;
  });
  return out;
}

TEST(LedgerRocksDbTest, SameStateHashesAsMemoryAndSurvivesReopen) {
  std::string dir = node::testing::temp_dir("ledger-rocks");
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Harness h;
    RandomDriver driver(h, seed * 104729);
    for (int b = 0; b < 30; ++b) driver.step(8);

    std::filesystem::remove_all(dir);
    Hash32 hash = h.genesis().hash;
    {
      auto store = node::StateStore::open(dir);
      ASSERT_TRUE(store) << store.status().to_string();
      ASSERT_TRUE((*store)->commit(genesis_writes(h.genesis())));
      // Reopen halfway through, as a restarted node would.
      size_t half = driver.blocks().size() / 2;
      for (size_t i = 0; i < half; ++i) {
        const auto& b = driver.blocks()[i];
        BlockInput in{b.height, b.time, {}, b.signature_ok};
        for (const auto& tx : b.txs) in.txs.push_back(&tx);
        ApplyResult r = apply_block(**store, hash, in);
        ASSERT_TRUE((*store)->commit(r.writes));
        hash = r.state_hash;
        ASSERT_EQ(hash, b.state_hash) << "seed " << seed << " height " << b.height;
      }
    }
    auto store = node::StateStore::open(dir);
    ASSERT_TRUE(store) << store.status().to_string();
    for (size_t i = driver.blocks().size() / 2; i < driver.blocks().size(); ++i) {
      const auto& b = driver.blocks()[i];
      BlockInput in{b.height, b.time, {}, b.signature_ok};
      for (const auto& tx : b.txs) in.txs.push_back(&tx);
      ApplyResult r = apply_block(**store, hash, in);
      ASSERT_TRUE((*store)->commit(r.writes));
      hash = r.state_hash;
      ASSERT_EQ(hash, b.state_hash) << "seed " << seed << " height " << b.height;
    }
    EXPECT_EQ(dump(**store), h.kv().data()) << "seed " << seed;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace suanli::ledger::testing
