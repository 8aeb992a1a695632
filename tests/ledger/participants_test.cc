// participant_register/freeze, deposit, withdraw, transfer: success and each result code.
#include <gtest/gtest.h>

#include "common/money.h"
#include "tests/ledger/harness_util.h"

namespace suanli::ledger::testing {
namespace {

ParticipantRegister reg(const Actor& a) {
  return ParticipantRegister{a.key.pubkey, a.role, a.province, a.name, a.credit_code, a.group};
}

TEST(ParticipantTest, RegisterRulesAndCodes) {
  Harness h;
  Actor& buyer = h.add_actor("new-buyer", Role::kBuyer, "CN-ZJ");
  h.expect_error("wrong_role", "bj-buyer", TxType::kParticipantRegister, reg(buyer));
  h.ok("gz-reg", TxType::kParticipantRegister, reg(buyer));
  Participant p = h.participant("new-buyer");
  EXPECT_EQ(p.province, "CN-ZJ");
  EXPECT_EQ(p.balance, 0u);
  EXPECT_EQ(p.registered_height, h.height());
  h.expect_error("already_registered", "bj-reg", TxType::kParticipantRegister, reg(buyer));

  // A regulator only by a regulator of the same province.
  Actor& gz2 = h.add_actor("gz-reg2", Role::kRegulator, "CN-GZ");
  h.expect_error("not_authorized", "bj-reg", TxType::kParticipantRegister, reg(gz2));
  h.ok("gz-reg", TxType::kParticipantRegister, reg(gz2));
  // An unregistered signer.
  Actor& ghost = h.add_actor("ghost", Role::kRegulator, "CN-GZ");
  (void)ghost;
  h.expect_error("unknown_signer", "ghost", TxType::kParticipantRegister,
                 reg(h.add_actor("x", Role::kBuyer, "CN-GZ")));
  EXPECT_TRUE(h.check_supply());
}

TEST(ParticipantTest, FreezeBlocksTransactionsAndNeedsTheRightRegulator) {
  Harness h;
  PubKey buyer = h.actor("bj-buyer").key.pubkey;
  h.expect_error("wrong_role", "gd-buyer", TxType::kParticipantFreeze,
                 ParticipantFreeze{buyer, true});
  h.expect_error("unknown_participant", "bj-reg", TxType::kParticipantFreeze,
                 ParticipantFreeze{h.add_actor("nobody", Role::kBuyer, "CN-BJ").key.pubkey, true});
  // Genesis participants have no registrar: only their province's regulator.
  h.expect_error("not_authorized", "gz-reg", TxType::kParticipantFreeze,
                 ParticipantFreeze{buyer, true});
  h.ok("bj-reg", TxType::kParticipantFreeze, ParticipantFreeze{buyer, true});
  EXPECT_TRUE(h.participant("bj-buyer").frozen);
  h.expect_error("invalid_state", "bj-reg", TxType::kParticipantFreeze,
                 ParticipantFreeze{buyer, true});
  h.expect_error("frozen", "bj-buyer", TxType::kWithdraw, Withdraw{1, "w-1"});
  h.ok("bj-reg", TxType::kParticipantFreeze, ParticipantFreeze{buyer, false});
  h.ok("bj-buyer", TxType::kWithdraw, Withdraw{1, "w-1"});

  // The registrar may freeze a participant of another province.
  Actor& zj = h.add_actor("zj-buyer", Role::kBuyer, "CN-ZJ");
  h.ok("gz-reg", TxType::kParticipantRegister, reg(zj));
  h.ok("gz-reg", TxType::kParticipantFreeze, ParticipantFreeze{zj.key.pubkey, true});
  h.expect_error("not_authorized", "bj-reg", TxType::kParticipantFreeze,
                 ParticipantFreeze{zj.key.pubkey, false});
}

TEST(MoneyTest, DepositWithdrawTransfer) {
  Harness h;
  PubKey buyer = h.actor("bj-buyer").key.pubkey;
  PubKey prov = h.actor("gz-prov").key.pubkey;
  h.expect_error("wrong_role", "bj-buyer", TxType::kDeposit, Deposit{buyer, 100, "d-1"});
  h.expect_error("unknown_participant", "gz-reg", TxType::kDeposit,
                 Deposit{h.actor("bj-reg").key.pubkey, 100, "d-1"});
  h.ok("gz-reg", TxType::kDeposit, Deposit{buyer, 100, "d-1"});
  EXPECT_EQ(h.balance("bj-buyer"), 5000000100u);
  h.expect_error("duplicate_reference", "bj-reg", TxType::kDeposit, Deposit{buyer, 1, "d-1"});
  // Deposits and withdrawals share one reference namespace.
  h.expect_error("duplicate_reference", "bj-buyer", TxType::kWithdraw, Withdraw{1, "d-1"});
  h.expect_error("amount_out_of_range", "gz-reg", TxType::kDeposit,
                 Deposit{buyer, kAmountMax, "d-big"});

  h.expect_error("wrong_role", "gz-reg", TxType::kWithdraw, Withdraw{1, "w-x"});
  h.expect_error("insufficient_funds", "gz-prov", TxType::kWithdraw, Withdraw{1, "w-1"});
  h.ok("bj-buyer", TxType::kWithdraw, Withdraw{5000000000, "w-1"});
  EXPECT_EQ(h.balance("bj-buyer"), 100u);

  h.expect_error("wrong_role", "gz-reg", TxType::kTransfer, Transfer{buyer, 1, ""});
  h.expect_error("unknown_participant", "gd-buyer", TxType::kTransfer,
                 Transfer{h.actor("gz-reg").key.pubkey, 1, ""});
  h.expect_error("insufficient_funds", "bj-buyer", TxType::kTransfer, Transfer{prov, 101, ""});
  h.ok("bj-buyer", TxType::kTransfer, Transfer{prov, 60, "付款"});
  EXPECT_EQ(h.balance("gz-prov"), 60u);
  // A transfer across provinces is a settlement flow.
  Statement s = h.statement(1);
  ASSERT_EQ(s.flows.size(), 1u);
  EXPECT_EQ(s.flows[0].from, "CN-BJ");
  EXPECT_EQ(s.flows[0].to, "CN-GZ");
  EXPECT_EQ(s.flows[0].amount, 60u);
  // Within a province it is not.
  h.ok("gz-prov", TxType::kTransfer, Transfer{h.actor("gz-prov2").key.pubkey, 10, ""});
  EXPECT_EQ(h.statement(1).flows.size(), 1u);

  Totals t = h.totals();
  EXPECT_EQ(t.deposits, 100u);
  EXPECT_EQ(t.withdrawals, 5000000000u);
  EXPECT_TRUE(h.check_supply());
}

// amount_out_of_range cannot come from a transfer: every credit keeps the
// ledger's total of balances within 2^53-1, and a transfer moves money already
// counted in that total, so the recipient can at most end at the total.
TEST(MoneyTest, TransferCanFillABalanceToTheLimitButNotPastIt) {
  Harness h;
  PubKey prov = h.actor("gz-prov").key.pubkey;
  h.ok("gz-reg", TxType::kDeposit, Deposit{prov, kAmountMax - h.totals().balances, "fill"});
  ASSERT_EQ(h.totals().balances, kAmountMax);
  for (const char* buyer : {"bj-buyer", "gd-buyer", "sh-buyer", "gz-buyer"}) {
    h.ok(buyer, TxType::kTransfer, Transfer{prov, h.balance(buyer), ""});
  }
  EXPECT_EQ(h.balance("gz-prov"), kAmountMax);
  // Nothing is left to send; a credit from outside is what would overflow.
  h.expect_error("insufficient_funds", "bj-buyer", TxType::kTransfer, Transfer{prov, 1, ""});
  h.expect_error("amount_out_of_range", "gz-reg", TxType::kDeposit, Deposit{prov, 1, "more"});
  EXPECT_TRUE(h.check_supply());
}

TEST(BlockTest, FailedTransactionChangesNothingButIsRecorded) {
  Harness h;
  PubKey prov = h.actor("gz-prov").key.pubkey;
  std::vector<Tx> txs = {
      h.make("bj-buyer", TxType::kTransfer, Transfer{prov, 10, ""}),
      h.make("bj-buyer", TxType::kTransfer, Transfer{prov, 999999999999, ""}),
      h.make("bj-buyer", TxType::kTransfer, Transfer{prov, 5, ""}),
  };
  auto out = h.block(txs);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0].record.ok);
  EXPECT_FALSE(out[1].record.ok);
  EXPECT_EQ(out[1].record.error, "insufficient_funds");
  EXPECT_EQ(out[1].record.index, 1u);
  EXPECT_TRUE(out[2].record.ok);
  EXPECT_EQ(h.balance("gz-prov"), 15u);
  EXPECT_EQ(h.statement(1).flows.at(0).count, 2u);
}

TEST(BlockTest, SkipsBadSignaturesDuplicatesAndExpired) {
  Harness h;
  PubKey prov = h.actor("gz-prov").key.pubkey;
  Tx a = h.make("bj-buyer", TxType::kTransfer, Transfer{prov, 10, ""});
  Tx b = h.make("bj-buyer", TxType::kTransfer, Transfer{prov, 20, ""});
  Tx expired = h.make("bj-buyer", TxType::kTransfer, Transfer{prov, 40, ""});
  expired.expires_at = h.time();
  auto out = h.block({a, b, a, expired}, {true, false, true, true});
  EXPECT_EQ(out[0].disposition, TxDisposition::kApplied);
  EXPECT_EQ(out[1].disposition, TxDisposition::kBadSignature);
  EXPECT_EQ(out[2].disposition, TxDisposition::kDuplicate);
  EXPECT_EQ(out[3].disposition, TxDisposition::kExpired);
  EXPECT_EQ(h.balance("gz-prov"), 10u);
  // A transaction skipped for its signature did not consume its hash.
  auto again = h.block({b});
  EXPECT_EQ(again[0].disposition, TxDisposition::kApplied);
  EXPECT_EQ(h.balance("gz-prov"), 30u);
  // A later block cannot replay an applied hash.
  auto replay = h.block({a});
  EXPECT_EQ(replay[0].disposition, TxDisposition::kDuplicate);
  EXPECT_EQ(h.balance("gz-prov"), 30u);
}

}  // namespace
}  // namespace suanli::ledger::testing
