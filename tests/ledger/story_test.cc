// The Guizhou voucher story of the issue, checked to the fen.
#include <gtest/gtest.h>

#include "tests/ledger/harness_util.h"

namespace suanli::ledger::testing {
namespace {

constexpr uint64_t kBuyerStart = 5000000000;

TEST(GuizhouStoryTest, VoucherIssuedCashedBackDeductedAndSettled) {
  Harness h;
  const PubKey gz_prov = h.actor("gz-prov").key.pubkey;

  // A Beijing buyer contracts a Guizhou provider: 3,566,667 card-hours at ¥10.00.
  Id16 k1 = h.new_contract_id();
  ContractCreate create{k1, gz_prov, {ResourceClass::kIntelligent, "A800", ResourceUnit::kCardHour},
                        3566667, 1000, h.time() + 30 * kDayMs, {}};
  h.ok("bj-buyer", TxType::kContractCreate, create);
  EXPECT_EQ(h.contract(k1)->amount, 3566667000u);
  EXPECT_EQ(h.contract(k1)->escrow_buyer, 3566667000u);
  EXPECT_EQ(h.balance("bj-buyer"), kBuyerStart - 3566667000u);
  h.ok("gz-prov", TxType::kContractAccept, ContractRef{k1});

  // Two deliveries, both acknowledged.
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{k1, 2000000, Hash32{1}});
  h.ok("bj-buyer", TxType::kDeliveryAck, DeliveryRef{k1, 1});
  EXPECT_EQ(h.balance("gz-prov"), 2000000000u);
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{k1, 1566667, Hash32{2}});
  h.ok("bj-buyer", TxType::kDeliveryAck, DeliveryRef{k1, 2});
  EXPECT_EQ(h.balance("gz-prov"), 3566667000u);
  EXPECT_EQ(h.contract(k1)->escrow_buyer, 0u);
  EXPECT_EQ(h.contract(k1)->settled_buyer_funded, 3566667000u);
  h.ok("bj-buyer", TxType::kContractClose, ContractRef{k1});
  EXPECT_EQ(h.contract(k1)->state, ContractState::kCompleted);

  // A 3% Guizhou voucher: exactly ¥1,070,000.10.
  h.ok("bj-buyer", TxType::kVoucherApply, VoucherApply{k1, "CN-GZ"});
  h.ok("gz-reg", TxType::kVoucherIssue, ContractRef{k1});
  Hash32 vid = voucher_id_for(k1);
  ASSERT_TRUE(h.voucher(vid));
  EXPECT_EQ(h.voucher(vid)->amount, 107000010u);
  EXPECT_EQ(h.application(k1)->state, ApplicationState::kIssued);
  EXPECT_EQ(h.program("CN-GZ").issued, 107000010u);

  // Part cashed back: ¥70,000.10.
  h.ok("bj-buyer", TxType::kVoucherRedeem, VoucherRedeem{vid, 7000010});
  EXPECT_EQ(h.voucher(vid)->remaining, 100000000u);
  EXPECT_EQ(h.balance("bj-buyer"), kBuyerStart - 3566667000u + 7000010u);

  // The rest (¥1,000,000.00) deducted on a second contract of ¥2,000,000.00.
  Id16 k2 = h.new_contract_id();
  ContractCreate create2{k2, gz_prov, {ResourceClass::kIntelligent, "H100", ResourceUnit::kCardHour},
                         20000, 10000, h.time() + 10 * kDayMs, {VoucherUse{vid, 100000000}}};
  h.ok("bj-buyer", TxType::kContractCreate, create2);
  EXPECT_EQ(h.voucher(vid)->remaining, 0u);
  EXPECT_EQ(h.voucher(vid)->state, VoucherState::kSpent);
  EXPECT_EQ(h.contract(k2)->escrow_voucher, 100000000u);
  EXPECT_EQ(h.contract(k2)->escrow_buyer, 100000000u);
  uint64_t buyer_before_k2_close = kBuyerStart - 3566667000u + 7000010u - 100000000u;
  EXPECT_EQ(h.balance("bj-buyer"), buyer_before_k2_close);
  h.ok("gz-prov", TxType::kContractAccept, ContractRef{k2});
  // 5,000 card-hours delivered: ¥500,000.00, all paid from the voucher part first.
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{k2, 5000, Hash32{3}});
  h.ok("bj-buyer", TxType::kDeliveryAck, DeliveryRef{k2, 1});
  EXPECT_EQ(h.contract(k2)->escrow_voucher, 50000000u);
  EXPECT_EQ(h.contract(k2)->escrow_buyer, 100000000u);
  EXPECT_EQ(h.contract(k2)->settled_buyer_funded, 0u);
  EXPECT_EQ(h.program("CN-GZ").redeemed, 7000010u + 50000000u);

  // Closing before the deadline with quantity undelivered is refused...
  h.expect_error("invalid_state", "bj-buyer", TxType::kContractClose, ContractRef{k2});
  // ...after the deadline the voucher money returns to the voucher.
  h.advance(11 * kDayMs);
  h.ok("bj-buyer", TxType::kContractClose, ContractRef{k2});
  EXPECT_EQ(h.voucher(vid)->remaining, 50000000u);
  EXPECT_EQ(h.voucher(vid)->state, VoucherState::kActive);
  EXPECT_EQ(h.balance("bj-buyer"), buyer_before_k2_close + 100000000u);
  EXPECT_EQ(h.balance("gz-prov"), 3566667000u + 50000000u);

  // Settlement: Beijing paid Guizhou for compute; the Guizhou programme paid
  // the Beijing buyer's cash back. Voucher money to a Guizhou provider stays in Guizhou.
  Statement open = h.statement(1);
  ASSERT_EQ(open.flows.size(), 2u);
  EXPECT_EQ(open.flows[0].from, "CN-BJ");
  EXPECT_EQ(open.flows[0].to, "CN-GZ");
  EXPECT_EQ(open.flows[0].amount, 3566667000u);
  EXPECT_EQ(open.flows[0].count, 2u);
  EXPECT_EQ(open.flows[1].from, "CN-GZ");
  EXPECT_EQ(open.flows[1].to, "CN-BJ");
  EXPECT_EQ(open.flows[1].amount, 7000010u);
  EXPECT_EQ(open.flows[1].count, 1u);
  auto net = net_positions(open);
  ASSERT_EQ(net.size(), 2u);
  EXPECT_EQ(net[0], (std::pair<std::string, int64_t>{"CN-BJ", -3559666990}));
  EXPECT_EQ(net[1], (std::pair<std::string, int64_t>{"CN-GZ", 3559666990}));

  uint64_t close_height = h.height() + 1;
  h.ok("gz-reg", TxType::kSettlementClose, SettlementClose{});
  Statement closed = h.statement(1);
  EXPECT_EQ(closed.status, StatementStatus::kClosed);
  EXPECT_EQ(closed.from_height, 1u);
  EXPECT_EQ(closed.to_height, close_height);
  EXPECT_EQ(closed.flows.size(), 2u);
  // Both involved provinces have a regulator: both must sign, none unattested.
  EXPECT_EQ(closed.required, (std::vector<std::string>{"CN-BJ", "CN-GZ"}));
  EXPECT_TRUE(closed.unattested.empty());
  EXPECT_TRUE(closed.signatures.empty());
  EXPECT_EQ(h.current_period(), 2u);
  EXPECT_EQ(h.statement(2).status, StatementStatus::kOpen);
  EXPECT_EQ(h.statement(2).from_height, close_height + 1);
  EXPECT_TRUE(h.statement(2).flows.empty());
  uint64_t gz_sign_height = h.height() + 1;
  h.ok("gz-reg", TxType::kSettlementSign, SettlementSign{1});
  EXPECT_EQ(h.statement(1).status, StatementStatus::kClosed);
  h.expect_error("already_signed", "gz-reg", TxType::kSettlementSign, SettlementSign{1});
  uint64_t bj_sign_height = h.height() + 1;
  h.ok("bj-reg", TxType::kSettlementSign, SettlementSign{1});
  Statement final_stmt = h.statement(1);
  EXPECT_EQ(final_stmt.status, StatementStatus::kFinal);
  ASSERT_EQ(final_stmt.signatures.size(), 2u);
  EXPECT_EQ(final_stmt.signatures[0].province, "CN-GZ");
  EXPECT_EQ(final_stmt.signatures[0].signer, h.actor("gz-reg").key.pubkey);
  EXPECT_EQ(final_stmt.signatures[0].height, gz_sign_height);
  EXPECT_EQ(final_stmt.signatures[1].province, "CN-BJ");
  EXPECT_EQ(final_stmt.signatures[1].signer, h.actor("bj-reg").key.pubkey);
  EXPECT_EQ(final_stmt.signatures[1].height, bj_sign_height);
  EXPECT_TRUE(final_stmt.unattested.empty());
  // Signing does not change the figures.
  EXPECT_EQ(final_stmt.flows[0].amount, 3566667000u);
  EXPECT_EQ(final_stmt.flows[1].amount, 7000010u);
  EXPECT_EQ(net_positions(final_stmt), net);

  // Programme figures and the supply identity, to the fen.
  Program gz = h.program("CN-GZ");
  EXPECT_EQ(gz.issued, 107000010u);
  EXPECT_EQ(gz.redeemed, 57000010u);
  EXPECT_EQ(program_available(gz), 10000000000u - 107000010u);
  EXPECT_TRUE(h.check_supply());
  Totals t = h.totals();
  EXPECT_EQ(t.voucher_remaining, 50000000u);
  EXPECT_EQ(t.escrow, 0u);
}

}  // namespace
}  // namespace suanli::ledger::testing
