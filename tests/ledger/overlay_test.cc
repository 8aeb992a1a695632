// Overlay against a plain model: a map of the base with writes applied.
#include "ledger/overlay.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "ledger/mem_kv.h"

namespace suanli::ledger {
namespace {

using Model = std::map<std::string, std::string, std::less<>>;

Model with_writes(Model m, const WriteSet& w) {
  for (const auto& [k, v] : w) {
    if (v) {
      m[k] = *v;
    } else {
      m.erase(k);
    }
  }
  return m;
}

std::vector<std::pair<std::string, std::string>> scan_all(const KvRead& kv, const std::string& a,
                                                          const std::string& b) {
  std::vector<std::pair<std::string, std::string>> out;
  kv.scan(a, b, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  return out;
}

TEST(OverlayTest, NestedOverlaysReadTheirOwnWritesAndMergeIntoTheBlocks) {
  MemKv base;
  base.commit({{"a", "base-a"}, {"b", "base-b"}, {"c", "base-c"}});
  Overlay block(base);
  block.put("b", "block-b");
  {
    Overlay tx(static_cast<const KvRead&>(block));
    EXPECT_EQ(tx.get("b"), "block-b");
    tx.del("a");
    tx.put("d", "tx-d");
    tx.put("b", "tx-b");
    EXPECT_EQ(tx.get("a"), std::nullopt);
    EXPECT_EQ(block.get("a"), "base-a");  // nothing reaches the block before the merge
    tx.merge_into(block);
    EXPECT_TRUE(tx.writes().empty());
    EXPECT_EQ(tx.get("b"), "tx-b");  // reads through to the block now
  }
  EXPECT_EQ(block.get("a"), std::nullopt);
  EXPECT_EQ(block.get("b"), "tx-b");
  EXPECT_EQ(block.get("d"), "tx-d");
  EXPECT_EQ(block.get("c"), "base-c");
  WriteSet w = block.take();
  EXPECT_EQ(w, (WriteSet{{"a", std::nullopt}, {"b", "tx-b"}, {"d", "tx-d"}}));
  // After take(), the overlay is empty and reads the base again.
  EXPECT_TRUE(block.writes().empty());
  EXPECT_EQ(block.get("b"), "base-b");
  block.put("b", "again");
  EXPECT_EQ(block.get("b"), "again");
}

TEST(OverlayTest, RandomNestedWritesMatchAModel) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 50; ++round) {
    MemKv base;
    Model model;
    auto key = [&] { return std::string("k") + std::to_string(rng() % 64); };
    WriteSet seed;
    for (int i = 0; i < 32; ++i) seed[key()] = "b" + std::to_string(i);
    base.commit(seed);
    model = with_writes(model, seed);
    Overlay block(base);
    for (int t = 0; t < 20; ++t) {
      Overlay tx(static_cast<const KvRead&>(block));
      Model tx_model = model;
      for (int op = 0; op < 10; ++op) {
        std::string k = key();
        if (rng() % 4 == 0) {
          tx.del(k);
          tx_model.erase(k);
        } else {
          std::string v = "v" + std::to_string(rng() % 1000);
          tx.put(k, v);
          tx_model[k] = v;
        }
        std::string probe = key();
        auto want = tx_model.find(probe);
        EXPECT_EQ(tx.get(probe),
                  want == tx_model.end() ? std::nullopt : std::optional<std::string>(want->second));
      }
      std::vector<std::pair<std::string, std::string>> want_scan;
      for (auto it = tx_model.lower_bound("k1"); it != tx_model.end() && it->first < "k5"; ++it) {
        want_scan.emplace_back(it->first, it->second);
      }
      EXPECT_EQ(scan_all(tx, "k1", "k5"), want_scan);
      if (rng() % 3 != 0) {  // the others fail: dropped whole
        tx.merge_into(block);
        model = tx_model;
      }
      for (int i = 0; i < 64; ++i) {
        std::string k = "k" + std::to_string(i);
        auto want = model.find(k);
        ASSERT_EQ(block.get(k),
                  want == model.end() ? std::nullopt : std::optional<std::string>(want->second))
            << "round " << round << " tx " << t << " key " << k;
      }
    }
    base.commit(block.take());
    EXPECT_EQ(base.data(), model) << "round " << round;
  }
}

}  // namespace
}  // namespace suanli::ledger
