// Contracts and deliveries: success paths and each result code.
#include <gtest/gtest.h>

#include "common/money.h"
#include "tests/ledger/harness_util.h"

namespace suanli::ledger::testing {
namespace {

class ContractTest : public ::testing::Test {
 protected:
  ContractCreate create(uint64_t quantity, uint64_t price, uint64_t term_ms = 30 * kDayMs,
                        const std::string& provider = "gz-prov") {
    return ContractCreate{h.new_contract_id(), h.actor(provider).key.pubkey,
                          Resource{ResourceClass::kIntelligent, "A800", ResourceUnit::kCardHour},
                          quantity, price, h.time() + term_ms, {}};
  }
  // An active contract of `quantity` card-hours at ¥1.00.
  Id16 active(uint64_t quantity, uint64_t term_ms = 30 * kDayMs) {
    ContractCreate c = create(quantity, 100, term_ms);
    h.ok("bj-buyer", TxType::kContractCreate, c);
    h.ok("gz-prov", TxType::kContractAccept, ContractRef{c.contract_id});
    return c.contract_id;
  }
  Harness h;
};

TEST_F(ContractTest, CreateChecks) {
  ContractCreate c = create(10, 100);
  h.expect_error("wrong_role", "gz-prov", TxType::kContractCreate, c);
  ContractCreate bad_provider = c;
  bad_provider.provider = h.actor("gd-buyer").key.pubkey;
  h.expect_error("unknown_participant", "bj-buyer", TxType::kContractCreate, bad_provider);
  ContractCreate unknown_voucher = c;
  unknown_voucher.vouchers.push_back(VoucherUse{Hash32{9}, 1});
  h.expect_error("unknown_voucher", "bj-buyer", TxType::kContractCreate, unknown_voucher);
  ContractCreate past = c;
  past.deadline = h.time();
  h.expect_error("invalid_state", "bj-buyer", TxType::kContractCreate, past);
  ContractCreate huge = c;
  huge.quantity = kAmountMax;
  h.expect_error("amount_out_of_range", "bj-buyer", TxType::kContractCreate, huge);
  ContractCreate rich = c;
  rich.quantity = 5000000001;
  rich.unit_price = 1;
  h.expect_error("insufficient_funds", "bj-buyer", TxType::kContractCreate, rich);
  h.ok("bj-buyer", TxType::kContractCreate, c);
  Contract k = *h.contract(c.contract_id);
  EXPECT_EQ(k.state, ContractState::kProposed);
  EXPECT_EQ(k.amount, 1000u);
  EXPECT_TRUE(k.cross_province);
  EXPECT_EQ(k.deadline, c.deadline);
  EXPECT_EQ(k.created_at, h.time() - 1000);  // block time of the block that created it
  h.expect_error("contract_exists", "bj-buyer", TxType::kContractCreate, c);
  EXPECT_TRUE(h.check_supply());
}

TEST_F(ContractTest, AcceptRejectCancel) {
  ContractCreate c = create(10, 100);
  h.ok("bj-buyer", TxType::kContractCreate, c);
  Id16 id = c.contract_id;
  h.expect_error("wrong_role", "bj-buyer", TxType::kContractAccept, ContractRef{id});
  h.expect_error("unknown_contract", "gz-prov", TxType::kContractAccept, ContractRef{Id16{7}});
  h.expect_error("not_authorized", "gz-prov2", TxType::kContractAccept, ContractRef{id});
  h.expect_error("not_authorized", "gd-buyer", TxType::kContractCancel, ContractRef{id});
  h.ok("gz-prov", TxType::kContractReject, ContractReason{id, "no capacity"});
  EXPECT_EQ(h.contract(id)->state, ContractState::kRejected);
  EXPECT_EQ(h.balance("bj-buyer"), 5000000000u);
  h.expect_error("invalid_state", "gz-prov", TxType::kContractAccept, ContractRef{id});
  h.expect_error("invalid_state", "bj-buyer", TxType::kContractCancel, ContractRef{id});

  ContractCreate c2 = create(10, 100);
  h.ok("bj-buyer", TxType::kContractCreate, c2);
  h.ok("bj-buyer", TxType::kContractCancel, ContractRef{c2.contract_id});
  EXPECT_EQ(h.contract(c2.contract_id)->state, ContractState::kCancelled);
  EXPECT_EQ(h.balance("bj-buyer"), 5000000000u);

  // Accepting after the deadline is refused.
  ContractCreate c3 = create(10, 100, 5000);
  h.ok("bj-buyer", TxType::kContractCreate, c3);
  h.advance(10000);
  h.expect_error("invalid_state", "gz-prov", TxType::kContractAccept, ContractRef{c3.contract_id});
  EXPECT_TRUE(h.check_supply());
}

TEST_F(ContractTest, RejectAndCancelCodes) {
  ContractCreate c = create(10, 100);
  h.ok("bj-buyer", TxType::kContractCreate, c);
  Id16 id = c.contract_id;
  h.expect_error("wrong_role", "bj-buyer", TxType::kContractReject, ContractReason{id, "x"});
  h.expect_error("unknown_contract", "gz-prov", TxType::kContractReject,
                 ContractReason{Id16{7}, "x"});
  h.expect_error("not_authorized", "gz-prov2", TxType::kContractReject, ContractReason{id, "x"});
  h.expect_error("wrong_role", "gz-prov", TxType::kContractCancel, ContractRef{id});
  h.expect_error("unknown_contract", "bj-buyer", TxType::kContractCancel, ContractRef{Id16{7}});
  h.ok("gz-prov", TxType::kContractAccept, ContractRef{id});
  // An active contract can no longer be rejected (nor cancelled).
  h.expect_error("invalid_state", "gz-prov", TxType::kContractReject, ContractReason{id, "late"});
  h.expect_error("invalid_state", "bj-buyer", TxType::kContractCancel, ContractRef{id});
  EXPECT_EQ(h.contract(id)->state, ContractState::kActive);
  EXPECT_EQ(h.contract(id)->escrow_buyer, 1000u);
  EXPECT_EQ(h.balance("bj-buyer"), 5000000000u - 1000u);
  EXPECT_TRUE(h.check_supply());
}

TEST_F(ContractTest, DeliveryCodesForUnknownObjectsPartiesAndStates) {
  Id16 id = active(100);
  const Id16 nope{7};
  Hash32 ev{0xee};
  h.expect_error("unknown_contract", "gz-prov", TxType::kDeliveryReport,
                 DeliveryReport{nope, 1, ev});
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 10, ev});  // seq 1
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 10, ev});  // seq 2

  h.expect_error("wrong_role", "gz-prov", TxType::kDeliveryAck, DeliveryRef{id, 1});
  h.expect_error("unknown_contract", "bj-buyer", TxType::kDeliveryAck, DeliveryRef{nope, 1});

  h.expect_error("wrong_role", "gz-prov", TxType::kDeliveryDispute,
                 DeliveryDispute{id, 1, "x"});
  h.expect_error("unknown_contract", "bj-buyer", TxType::kDeliveryDispute,
                 DeliveryDispute{nope, 1, "x"});
  h.expect_error("unknown_delivery", "bj-buyer", TxType::kDeliveryDispute,
                 DeliveryDispute{id, 3, "x"});
  h.expect_error("not_authorized", "gd-buyer", TxType::kDeliveryDispute,
                 DeliveryDispute{id, 1, "x"});
  h.ok("bj-buyer", TxType::kDeliveryAck, DeliveryRef{id, 1});
  h.expect_error("invalid_state", "bj-buyer", TxType::kDeliveryDispute,
                 DeliveryDispute{id, 1, "x"});

  h.advance(kDayMs);  // the ack window of seq 2 has passed
  h.expect_error("unknown_contract", "gz-prov", TxType::kDeliveryFinalize,
                 DeliveryRef{nope, 2});
  h.expect_error("unknown_delivery", "gz-prov", TxType::kDeliveryFinalize, DeliveryRef{id, 3});
  h.expect_error("not_authorized", "gz-prov2", TxType::kDeliveryFinalize, DeliveryRef{id, 2});
  h.expect_error("invalid_state", "gz-prov", TxType::kDeliveryFinalize, DeliveryRef{id, 1});

  h.ok("bj-buyer", TxType::kDeliveryDispute, DeliveryDispute{id, 2, "x"});
  h.expect_error("unknown_contract", "gz-reg", TxType::kDisputeResolve,
                 DisputeResolve{nope, 2, 0});
  h.expect_error("unknown_delivery", "gz-reg", TxType::kDisputeResolve,
                 DisputeResolve{id, 3, 0});
  h.expect_error("unknown_contract", "bj-buyer", TxType::kContractClose, ContractRef{nope});

  Contract k = *h.contract(id);
  ASSERT_EQ(k.deliveries.size(), 2u);
  EXPECT_EQ(k.deliveries[0].state, DeliveryState::kAcked);
  EXPECT_EQ(k.deliveries[1].state, DeliveryState::kDisputed);
  EXPECT_EQ(k.delivered, 10u);
  EXPECT_EQ(h.balance("gz-prov"), 1000u);
  EXPECT_TRUE(h.check_supply());
}

// A payment to a provider whose balance, with the ledger's total of balances,
// would pass 2^53-1 fails with amount_out_of_range (API.md "Conventions").
TEST_F(ContractTest, DeliveryPaymentsPastTheBalanceLimitAreOutOfRange) {
  Id16 id = active(30);
  Hash32 ev{0xee};
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 10, ev});  // seq 1: ack
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 10, ev});  // seq 2: finalize
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 10, ev});  // seq 3: resolve
  h.ok("bj-buyer", TxType::kDeliveryDispute, DeliveryDispute{id, 3, "x"});
  // Bank deposits bring the balances to exactly 2^53-1 (the escrow is outside them).
  h.ok("gz-reg", TxType::kDeposit,
       Deposit{h.actor("gz-prov").key.pubkey, kAmountMax - h.totals().balances, "fill"});
  ASSERT_EQ(h.totals().balances, kAmountMax);
  h.advance(kDayMs);
  h.expect_error("amount_out_of_range", "bj-buyer", TxType::kDeliveryAck, DeliveryRef{id, 1});
  h.expect_error("amount_out_of_range", "gz-prov", TxType::kDeliveryFinalize,
                 DeliveryRef{id, 2});
  h.expect_error("amount_out_of_range", "gz-reg", TxType::kDisputeResolve,
                 DisputeResolve{id, 3, 1});
  Contract k = *h.contract(id);
  for (const auto& d : k.deliveries) EXPECT_NE(d.state, DeliveryState::kAcked);
  EXPECT_EQ(k.deliveries[2].state, DeliveryState::kDisputed);
  EXPECT_EQ(k.settled, 0u);
  EXPECT_EQ(k.escrow_buyer, 3000u);
  // Once the provider has paid out enough, the same payments go through.
  h.ok("gz-prov", TxType::kWithdraw, Withdraw{3000, "out"});
  h.ok("bj-buyer", TxType::kDeliveryAck, DeliveryRef{id, 1});
  h.ok("gz-prov", TxType::kDeliveryFinalize, DeliveryRef{id, 2});
  h.ok("gz-reg", TxType::kDisputeResolve, DisputeResolve{id, 3, 10});
  EXPECT_EQ(h.totals().balances, kAmountMax);
  EXPECT_EQ(h.contract(id)->escrow_buyer, 0u);
  EXPECT_TRUE(h.check_supply());
}

TEST_F(ContractTest, DeliveriesAckDisputeFinalizeResolve) {
  Id16 id = active(100);
  Hash32 ev{0xee};
  h.expect_error("wrong_role", "bj-buyer", TxType::kDeliveryReport, DeliveryReport{id, 10, ev});
  h.expect_error("not_authorized", "gz-prov2", TxType::kDeliveryReport,
                 DeliveryReport{id, 10, ev});
  h.expect_error("quantity_exceeded", "gz-prov", TxType::kDeliveryReport,
                 DeliveryReport{id, 101, ev});
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 40, ev});  // seq 1
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 30, ev});  // seq 2
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 30, ev});  // seq 3
  h.expect_error("quantity_exceeded", "gz-prov", TxType::kDeliveryReport,
                 DeliveryReport{id, 1, ev});

  h.expect_error("unknown_delivery", "bj-buyer", TxType::kDeliveryAck, DeliveryRef{id, 4});
  h.expect_error("unknown_delivery", "bj-buyer", TxType::kDeliveryAck, DeliveryRef{id, 0});
  h.expect_error("not_authorized", "gd-buyer", TxType::kDeliveryAck, DeliveryRef{id, 1});
  h.ok("bj-buyer", TxType::kDeliveryAck, DeliveryRef{id, 1});
  EXPECT_EQ(h.balance("gz-prov"), 4000u);
  h.expect_error("invalid_state", "bj-buyer", TxType::kDeliveryAck, DeliveryRef{id, 1});

  // Dispute seq 2, resolved at 10 of 30: the other 20 may be reported again.
  h.ok("bj-buyer", TxType::kDeliveryDispute, DeliveryDispute{id, 2, "GPUs were down"});
  h.expect_error("invalid_state", "bj-buyer", TxType::kDeliveryAck, DeliveryRef{id, 2});
  h.expect_error("wrong_role", "bj-buyer", TxType::kDisputeResolve, DisputeResolve{id, 2, 10});
  Actor& sh_reg = h.add_actor("sh-reg", Role::kRegulator, "CN-SH");
  h.ok("gz-reg", TxType::kParticipantRegister,
       ParticipantRegister{sh_reg.key.pubkey, Role::kBuyer, "CN-SH", "x", sh_reg.credit_code, ""});
  h.expect_error("invalid_state", "gz-reg", TxType::kDisputeResolve, DisputeResolve{id, 1, 10});
  h.expect_error("quantity_exceeded", "bj-reg", TxType::kDisputeResolve,
                 DisputeResolve{id, 2, 31});
  h.ok("bj-reg", TxType::kDisputeResolve, DisputeResolve{id, 2, 10});
  EXPECT_EQ(h.balance("gz-prov"), 5000u);
  EXPECT_EQ(h.contract(id)->deliveries[1].accepted_quantity, 10u);
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 20, ev});  // seq 4

  // Finalize: only after the ack window.
  h.expect_error("wrong_role", "bj-buyer", TxType::kDeliveryFinalize, DeliveryRef{id, 3});
  h.expect_error("ack_window_open", "gz-prov", TxType::kDeliveryFinalize, DeliveryRef{id, 3});
  h.expect_error("invalid_state", "bj-buyer", TxType::kContractClose, ContractRef{id});
  h.advance(kDayMs);
  h.ok("gz-prov", TxType::kDeliveryFinalize, DeliveryRef{id, 3});
  h.ok("gz-prov", TxType::kDeliveryFinalize, DeliveryRef{id, 4});
  Contract k = *h.contract(id);
  EXPECT_EQ(k.delivered, 100u);
  EXPECT_EQ(k.settled, 10000u);
  EXPECT_EQ(k.deliveries[2].state, DeliveryState::kFinalized);

  // All delivered: either party may close before the deadline.
  h.expect_error("not_authorized", "gd-buyer", TxType::kContractClose, ContractRef{id});
  h.expect_error("wrong_role", "gz-reg", TxType::kContractClose, ContractRef{id});
  h.ok("gz-prov", TxType::kContractClose, ContractRef{id});
  EXPECT_EQ(h.contract(id)->state, ContractState::kCompleted);
  h.expect_error("invalid_state", "gz-prov", TxType::kContractClose, ContractRef{id});
  h.expect_error("invalid_state", "gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 1, ev});
  EXPECT_TRUE(h.check_supply());
}

TEST_F(ContractTest, ResolveNeedsARegulatorOfAPartysProvince) {
  Id16 id = active(10);
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 10, Hash32{}});
  h.ok("bj-buyer", TxType::kDeliveryDispute, DeliveryDispute{id, 1, "bad"});
  Actor& sh = h.add_actor("sh-reg", Role::kRegulator, "CN-SH");
  h.ok("gz-reg", TxType::kParticipantRegister, ParticipantRegister{sh.key.pubkey, Role::kProvider,
                                                                   "CN-SH", "x", sh.credit_code, ""});
  // A provider-role registration: the SH key is not a regulator, so wrong_role.
  h.expect_error("wrong_role", "sh-reg", TxType::kDisputeResolve, DisputeResolve{id, 1, 0});
  Actor& zj = h.add_actor("zj-reg", Role::kRegulator, "CN-ZJ");
  h.ok("gz-reg", TxType::kRegulatorPropose,
       RegulatorPropose{zj.key.pubkey, "CN-ZJ", "浙江省", zj.credit_code});
  Hash32 prop = h.history().back().outcomes[0].hash;
  h.ok("bj-reg", TxType::kProposalApprove, ProposalApprove{prop});
  h.expect_error("not_authorized", "zj-reg", TxType::kDisputeResolve, DisputeResolve{id, 1, 0});
  h.ok("gz-reg", TxType::kDisputeResolve, DisputeResolve{id, 1, 0});
  EXPECT_EQ(h.balance("gz-prov"), 0u);
}

TEST_F(ContractTest, CloseAfterDeadlineRefundsTheRest) {
  Id16 id = active(100, 10000);
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 25, Hash32{}});
  h.ok("bj-buyer", TxType::kDeliveryAck, DeliveryRef{id, 1});
  h.expect_error("invalid_state", "bj-buyer", TxType::kContractClose, ContractRef{id});
  h.advance(20000);
  h.expect_error("invalid_state", "gz-prov", TxType::kDeliveryReport, DeliveryReport{id, 1, {}});
  h.ok("bj-buyer", TxType::kContractClose, ContractRef{id});
  EXPECT_EQ(h.balance("bj-buyer"), 5000000000u - 2500u);
  EXPECT_EQ(h.balance("gz-prov"), 2500u);
  EXPECT_EQ(h.contract(id)->escrow_buyer, 0u);
  EXPECT_TRUE(h.check_supply());
}

}  // namespace
}  // namespace suanli::ledger::testing
