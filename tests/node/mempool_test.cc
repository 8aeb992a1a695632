#include "node/mempool.h"

#include <gtest/gtest.h>

#include <cstring>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "node/verify_pool.h"

namespace suanli::node {
namespace {

std::shared_ptr<const ledger::Tx> make_tx(uint64_t n, uint64_t expires_at = 1000000) {
  ledger::crypto_init();
  std::array<uint8_t, 32> seed{};
  seed[0] = 7;
  auto key = ledger::keypair_from_seed(seed);
  ledger::Tx tx;
  tx.chain_id = "t";
  tx.type = ledger::TxType::kWithdraw;
  tx.signer = key.pubkey;
  std::memcpy(tx.nonce.data(), &n, sizeof(n));
  tx.expires_at = expires_at;
  tx.payload = ledger::Withdraw{1 + n, "r" + std::to_string(n)};
  ledger::sign_tx(tx, key.seed);
  return std::make_shared<const ledger::Tx>(std::move(tx));
}

TEST(MempoolTest, BoundedDeduplicatedFifo) {
  Mempool pool(5000, 3, 1 << 20);
  auto a = make_tx(1), b = make_tx(2), c = make_tx(3), d = make_tx(4);
  EXPECT_EQ(pool.add(a), Mempool::AddResult::kAdded);
  EXPECT_EQ(pool.add(a), Mempool::AddResult::kDuplicate);
  EXPECT_EQ(pool.add(b), Mempool::AddResult::kAdded);
  EXPECT_EQ(pool.add(c), Mempool::AddResult::kAdded);
  EXPECT_EQ(pool.add(d), Mempool::AddResult::kFull);
  auto taken = pool.take(2, 1 << 20, 100);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0]->hash, a->hash);
  EXPECT_EQ(taken[1]->hash, b->hash);
  // Proposed transactions are not offered again until the re-offer delay.
  auto next = pool.take(10, 1 << 20, 200);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0]->hash, c->hash);
  EXPECT_EQ(pool.take(10, 1 << 20, 300).size(), 0u);
  EXPECT_EQ(pool.take(10, 1 << 20, 5100).size(), 2u);  // a and b re-offered
  pool.remove({a->hash, b->hash});
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool.add(d), Mempool::AddResult::kAdded);
  // Byte bound.
  EXPECT_EQ(pool.take(10, a->canonical.size() - 1, 20000).size(), 0u);
}

TEST(MempoolTest, ExpiryIsRemembered) {
  Mempool pool;
  auto a = make_tx(1, 500), b = make_tx(2, 900);
  pool.add(a);
  pool.add(b);
  pool.expire(600);
  EXPECT_FALSE(pool.contains(a->hash));
  EXPECT_TRUE(pool.was_expired(a->hash));
  EXPECT_TRUE(pool.contains(b->hash));
  EXPECT_FALSE(pool.was_expired(b->hash));
  EXPECT_EQ(pool.bytes(), b->canonical.size());
}

// Expiry follows expires_at, not arrival; a removed or taken entry expires
// like any other, and every index forgets what expired.
TEST(MempoolTest, ExpiryVisitsEntriesByDeadlineWhateverTheirArrival) {
  Mempool pool;
  auto late = make_tx(1, 2000), early = make_tx(2, 700), same = make_tx(3, 700),
       applied = make_tx(4, 600), taken = make_tx(5, 800);
  for (const auto& tx : {late, early, same, applied, taken}) {
    ASSERT_EQ(pool.add(tx), Mempool::AddResult::kAdded);
  }
  pool.remove({applied->hash});
  ASSERT_EQ(pool.take(1, 1 << 20, 100).size(), 1u);  // `late`, the first to arrive
  pool.expire(699);
  EXPECT_EQ(pool.size(), 4u);
  pool.expire(700);
  EXPECT_FALSE(pool.contains(early->hash));
  EXPECT_FALSE(pool.contains(same->hash));
  EXPECT_TRUE(pool.was_expired(early->hash));
  EXPECT_TRUE(pool.was_expired(same->hash));
  EXPECT_FALSE(pool.was_expired(applied->hash));
  pool.expire(800);
  EXPECT_FALSE(pool.contains(taken->hash));
  ASSERT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool.bytes(), late->canonical.size());
  EXPECT_EQ(pool.available(100), 0u);  // `late` is still taken
  auto all = pool.all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]->hash, late->hash);
  pool.expire(2000);
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_EQ(pool.bytes(), 0u);
  EXPECT_EQ(pool.take(10, 1 << 20, 9000).size(), 0u);
}

// Thousands of entries make the hash index grow (rehash) while the order
// indexes point into it: arrival order, takes and removals must not notice.
TEST(MempoolTest, ArrivalOrderSurvivesTheIndexGrowing) {
  Mempool pool;
  std::vector<std::shared_ptr<const ledger::Tx>> txs;
  for (uint64_t i = 0; i < 3000; ++i) {
    txs.push_back(make_tx(100 + i));
    ASSERT_EQ(pool.add(txs.back()), Mempool::AddResult::kAdded);
    if (i % 3 == 2) pool.remove({txs[i - 1]->hash});  // every third from the 2nd
  }
  std::vector<Hash32> expected;
  for (size_t i = 0; i < txs.size(); ++i) {
    if (i % 3 != 1) expected.push_back(txs[i]->hash);
  }
  auto all = pool.all();
  ASSERT_EQ(all.size(), expected.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i]->hash, expected[i]) << i;
  auto first = pool.take(500, 1 << 30, 1, 7);
  ASSERT_EQ(first.size(), 500u);
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i]->hash, expected[i]) << i;
  pool.remove({expected[0], expected[600]});
  auto next = pool.take(2, 1 << 30, 1, 8);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0]->hash, expected[500]);
  EXPECT_EQ(next[1]->hash, expected[501]);
  // Height 7 applied without its block's entries: they come back, first in line.
  pool.applied_through(7);
  auto again = pool.take(1, 1 << 30, 2, 9);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]->hash, expected[1]);
  EXPECT_EQ(pool.size(), expected.size() - 2);
  EXPECT_TRUE(pool.contains(expected[1]));
  EXPECT_FALSE(pool.contains(expected[600]));
}

TEST(MempoolTest, ReofferKeepsArrivalOrderAndForgetsStaleTakes) {
  Mempool pool(1000, 100, 1 << 20);
  std::vector<std::shared_ptr<const ledger::Tx>> txs;
  for (int i = 0; i < 5; ++i) {
    txs.push_back(make_tx(10 + i));
    ASSERT_EQ(pool.add(txs.back()), Mempool::AddResult::kAdded);
  }
  ASSERT_EQ(pool.take(3, 1 << 20, 100).size(), 3u);  // 0, 1, 2 in flight
  pool.remove({txs[1]->hash});                         // 1 applied
  auto rest = pool.take(10, 1 << 20, 200);             // only 3 and 4 are free
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0]->hash, txs[3]->hash);
  // At 1100 the first takes mature: 0 and 2 come back, in arrival order.
  auto again = pool.take(10, 1 << 20, 1100);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0]->hash, txs[0]->hash);
  EXPECT_EQ(again[1]->hash, txs[2]->hash);
  // 3 and 4 (taken at 200) mature at 1200; 0 and 2, taken again at 1100,
  // must not come back then through their older take.
  auto later = pool.take(10, 1 << 20, 1200);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0]->hash, txs[3]->hash);
  EXPECT_EQ(later[1]->hash, txs[4]->hash);
  EXPECT_EQ(pool.take(10, 1 << 20, 2099).size(), 0u);
  EXPECT_EQ(pool.take(10, 1 << 20, 2100).size(), 2u);
}

TEST(VerifyPoolTest, VerifiesOnceByHashAndSignature) {
  VerifyPool pool(2);
  auto good = make_tx(1);
  ledger::Tx forged = *good;
  forged.signature[0] ^= 1;
  EXPECT_TRUE(pool.verify(*good));
  EXPECT_TRUE(pool.verify(*good));
  EXPECT_EQ(pool.verifications(), 1u);
  // Same hash, different signature: checked, and fails.
  EXPECT_FALSE(pool.verify(forged));
  EXPECT_EQ(pool.verifications(), 2u);
  auto batch = std::make_shared<std::vector<ledger::Tx>>();
  for (int i = 0; i < 50; ++i) batch->push_back(*make_tx(100 + i));
  (*batch)[7].signature[3] ^= 0x10;
  std::promise<std::vector<bool>> p;
  pool.verify_batch(batch, [&](std::vector<bool> r) { p.set_value(std::move(r)); });
  auto results = p.get_future().get();
  ASSERT_EQ(results.size(), 50u);
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(results[i], i != 7) << i;
}

TEST(VerifyPoolTest, BenchmarkModeAcceptsEverySignatureOnlyOnceTurnedOn) {
  VerifyPool pool(1);
  ledger::Tx forged = *make_tx(1);
  forged.signature[0] ^= 1;
  EXPECT_FALSE(pool.verify(forged));
  pool.accept_all_for_benchmark();
  ledger::Tx other = *make_tx(2);
  other.signature[5] ^= 1;
  EXPECT_TRUE(pool.verify(other));
  auto batch = std::make_shared<std::vector<ledger::Tx>>(3, other);
  std::promise<std::vector<bool>> p;
  pool.verify_batch(batch, [&](std::vector<bool> r) { p.set_value(std::move(r)); });
  EXPECT_EQ(p.get_future().get(), std::vector<bool>(3, true));
}

// Taken into the leader's own block, a transaction is never offered again by
// the delay (a long pipeline would re-propose it: duplicates), only once its
// height was applied without it.
TEST(MempoolTest, LeaderTakesComeBackOnlyWhenTheirHeightWasAppliedWithoutThem) {
  Mempool pool(1000, 100, 1 << 20);
  std::vector<std::shared_ptr<const ledger::Tx>> txs;
  for (int i = 0; i < 4; ++i) {
    txs.push_back(make_tx(20 + i));
    ASSERT_EQ(pool.add(txs.back()), Mempool::AddResult::kAdded);
  }
  ASSERT_EQ(pool.take(3, 1 << 20, 100, /*block_height=*/5).size(), 3u);  // 0, 1, 2
  ASSERT_EQ(pool.take(1, 1 << 20, 100, /*block_height=*/6).size(), 1u);  // 3
  EXPECT_EQ(pool.take(10, 1 << 20, 100000, 7).size(), 0u);  // long after: nothing matured
  pool.applied_through(4);
  EXPECT_EQ(pool.take(10, 1 << 20, 100001, 7).size(), 0u);
  // Height 5 applied with 0 and 2 only (another leader's block): 1 comes back.
  pool.remove({txs[0]->hash, txs[2]->hash});
  pool.applied_through(5);
  auto back = pool.take(10, 1 << 20, 100002, 7);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0]->hash, txs[1]->hash);
  // Taken to forward, the delay applies again.
  pool.release({txs[1]->hash});
  ASSERT_EQ(pool.take(10, 1 << 20, 200000).size(), 1u);
  EXPECT_EQ(pool.take(10, 1 << 20, 200999).size(), 0u);
  EXPECT_EQ(pool.take(10, 1 << 20, 201000).size(), 1u);
  // A new leader proposes everything it holds.
  pool.release_all();
  EXPECT_EQ(pool.take(10, 1 << 20, 201001, 9).size(), 2u);  // 1 and 3
  pool.applied_through(100);  // neither was applied: both come back
  EXPECT_EQ(pool.available(201002), 2u);
}

// Work for blocks overtakes queued admissions: a worker busy with one job,
// then admissions queued, then a block job: the block job runs next.
TEST(VerifyPoolTest, BlockWorkRunsBeforeQueuedAdmissions) {
  VerifyPool pool(1);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.post([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  std::mutex mu;
  std::vector<std::string> order;
  auto record = [&](std::string what) {
    std::lock_guard lock(mu);
    order.push_back(std::move(what));
  };
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.post([&, i] { record("admission " + std::to_string(i)); }));
  }
  ASSERT_TRUE(pool.post([&] { record("block"); }, VerifyPool::Priority::kBlock));
  auto batch = std::make_shared<std::vector<ledger::Tx>>(1, *make_tx(1));
  std::promise<void> verified;
  pool.verify_batch(batch, [&](std::vector<bool>) {
    record("block batch");
    verified.set_value();
  });
  release.set_value();
  verified.get_future().wait();
  pool.stop();  // runs what is queued
  const std::vector<std::string> want = {"block", "block batch", "admission 0", "admission 1",
                                         "admission 2"};
  EXPECT_EQ(order, want);
}

TEST(MempoolTest, ReleasedTransactionsAreAvailableAtOnce) {
  Mempool m(5000);
  auto a = make_tx(1), b = make_tx(2), c = make_tx(3);
  for (const auto& t : {a, b, c}) ASSERT_EQ(m.add(t), Mempool::AddResult::kAdded);
  EXPECT_EQ(m.take(10, 1 << 20, 1000).size(), 3u);
  EXPECT_TRUE(m.take(10, 1 << 20, 1001).empty());
  // A forward that could not be sent: offered again now, not after the delay.
  m.release({b->hash});
  auto again = m.take(10, 1 << 20, 1002);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]->hash, b->hash);
  // A follower that becomes leader proposes everything it holds, in arrival order.
  m.release_all();
  auto all = m.take(10, 1 << 20, 1003);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->hash, a->hash);
  EXPECT_EQ(all[2]->hash, c->hash);
  // The stale records of the earlier takes do not offer anything twice.
  EXPECT_EQ(m.take(10, 1 << 20, 7000).size(), 3u);
  EXPECT_TRUE(m.take(10, 1 << 20, 7001).empty());
}

}  // namespace
}  // namespace suanli::node
