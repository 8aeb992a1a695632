// Property tests over random transaction sequences: the supply identity holds
// and nothing goes negative after every block, and replaying the same blocks
// on a fresh store gives the same state hashes.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "tests/ledger/property_util.h"

namespace suanli::ledger::testing {
namespace {

int seeds_to_run(int fallback) {
  const char* env = std::getenv("SUANLI_PROPERTY_SEEDS");
  return env ? std::atoi(env) : fallback;
}

TEST(PropertyTest, SupplyIdentityAndNonNegativityHoldAfterEveryBlock) {
  const int seeds = seeds_to_run(1000);
  size_t applied_ok = 0, failed = 0;
  std::map<TxType, size_t> ok_by_type;
  for (int seed = 1; seed <= seeds; ++seed) {
    Harness h;
    RandomDriver driver(h, static_cast<uint64_t>(seed));
    for (int b = 0; b < 25; ++b) {
      driver.step(6);
      ASSERT_TRUE(h.check_supply()) << "seed " << seed << " block " << h.height();
    }
    for (size_t b = 0; b < h.history().size(); ++b) {
      const auto& outcomes = h.history()[b].outcomes;
      for (size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i].disposition != TxDisposition::kApplied) continue;
        (outcomes[i].record.ok ? applied_ok : failed)++;
        if (outcomes[i].record.ok) ok_by_type[driver.blocks()[b].txs[i].type]++;
      }
    }
  }
  // Every transaction type the generator makes succeeded at least once.
  size_t rarest = SIZE_MAX;
  TxType rarest_type = TxType::kDeposit;
  for (TxType t : {TxType::kDeposit, TxType::kWithdraw, TxType::kTransfer,
                   TxType::kContractCreate, TxType::kContractAccept, TxType::kContractReject,
                   TxType::kContractCancel, TxType::kDeliveryReport, TxType::kDeliveryAck,
                   TxType::kDeliveryDispute, TxType::kDeliveryFinalize, TxType::kDisputeResolve,
                   TxType::kContractClose, TxType::kVoucherApply, TxType::kVoucherIssue,
                   TxType::kVoucherRedeem, TxType::kVoucherRevoke, TxType::kSettlementClose,
                   TxType::kProgramSet, TxType::kVoucherReject, TxType::kParticipantRegister,
                   TxType::kParticipantFreeze, TxType::kSettlementSign, TxType::kNodePropose,
                   TxType::kRegulatorPropose, TxType::kProposalApprove}) {
    if (seeds >= 200) {
      EXPECT_GT(ok_by_type[t], 0u) << tx_type_name(t);
    }
    if (ok_by_type[t] < rarest) {
      rarest = ok_by_type[t];
      rarest_type = t;
    }
  }
  std::printf("%zu applied ok, %zu failed; rarest success: %.*s (%zu)\n", applied_ok, failed,
              static_cast<int>(tx_type_name(rarest_type).size()), tx_type_name(rarest_type).data(),
              rarest);
  // The generator must exercise success paths, not only failures.
  EXPECT_GT(applied_ok, static_cast<size_t>(seeds) * 10);
  EXPECT_GT(failed, 0u);
}

TEST(PropertyTest, ReplayOnAFreshStoreGivesTheSameStateHashes) {
  const int seeds = seeds_to_run(1000) / 10 + 1;
  for (int seed = 1; seed <= seeds; ++seed) {
    Harness h;
    RandomDriver driver(h, static_cast<uint64_t>(seed) * 7919);
    for (int b = 0; b < 40; ++b) driver.step(8);

    MemKv fresh;
    fresh.commit(genesis_writes(h.genesis()));
    Hash32 hash = h.genesis().hash;
    for (const auto& b : driver.blocks()) {
      BlockInput in{b.height, b.time, {}, b.signature_ok};
      for (const auto& tx : b.txs) in.txs.push_back(&tx);
      ApplyResult r = apply_block(fresh, hash, in);
      fresh.commit(r.writes);
      hash = r.state_hash;
      ASSERT_EQ(hash, b.state_hash) << "seed " << seed << " diverged at height " << b.height;
    }
    EXPECT_EQ(fresh.data(), h.kv().data()) << "seed " << seed;
  }
}

TEST(PropertyTest, StateHashDependsOnEveryWrite) {
  Harness a, b;
  a.ok("bj-buyer", TxType::kTransfer, Transfer{a.actor("gz-prov").key.pubkey, 1, ""});
  b.ok("bj-buyer", TxType::kTransfer, Transfer{b.actor("gz-prov").key.pubkey, 2, ""});
  EXPECT_NE(a.state_hash(), b.state_hash());
  WriteSet w1{{"sa", std::string("1")}};
  WriteSet w2{{"sa", std::nullopt}};
  WriteSet w3{{"ma", std::string("1")}};  // meta is not hashed
  Hash32 prev{};
  EXPECT_NE(hash_writes(prev, w1), hash_writes(prev, w2));
  EXPECT_EQ(hash_writes(prev, w3), hash_writes(prev, {}));
  EXPECT_NE(hash_writes(prev, {}), hash_writes(Hash32{1}, {}));
}

}  // namespace
}  // namespace suanli::ledger::testing
