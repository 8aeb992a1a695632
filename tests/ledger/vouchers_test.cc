// Voucher programmes, applications, issue, cash back, deduction, revoke, expiry.
#include <gtest/gtest.h>

#include "common/money.h"
#include "tests/ledger/harness_util.h"

namespace suanli::ledger::testing {
namespace {

class VoucherTest : public ::testing::Test {
 protected:
  // A completed contract, fully delivered and paid by the buyer.
  Id16 completed(const std::string& buyer, const std::string& provider, uint64_t quantity,
                 uint64_t price, uint64_t term_ms = 30 * kDayMs) {
    Id16 id = h.new_contract_id();
    h.ok(buyer, TxType::kContractCreate,
         ContractCreate{id, h.actor(provider).key.pubkey,
                        Resource{ResourceClass::kGeneral, "EPYC", ResourceUnit::kCoreHour},
                        quantity, price, h.time() + term_ms, {}});
    h.ok(provider, TxType::kContractAccept, ContractRef{id});
    h.ok(provider, TxType::kDeliveryReport, DeliveryReport{id, quantity, Hash32{}});
    h.ok(buyer, TxType::kDeliveryAck, DeliveryRef{id, 1});
    h.ok(buyer, TxType::kContractClose, ContractRef{id});
    return id;
  }
  Hash32 issued(const std::string& buyer, const std::string& provider, uint64_t amount_fen,
                const std::string& program = "CN-GZ") {
    Id16 id = completed(buyer, provider, amount_fen, 1);
    h.ok(buyer, TxType::kVoucherApply, VoucherApply{id, program});
    h.ok(program == "CN-GZ" ? "gz-reg" : "bj-reg", TxType::kVoucherIssue, ContractRef{id});
    return voucher_id_for(id);
  }
  Harness h;
};

TEST_F(VoucherTest, ApplyChecks) {
  Id16 id = completed("gd-buyer", "gz-prov", 10000, 100);
  h.expect_error("wrong_role", "gz-prov", TxType::kVoucherApply, VoucherApply{id, "CN-GZ"});
  h.expect_error("unknown_contract", "gd-buyer", TxType::kVoucherApply,
                 VoucherApply{Id16{1}, "CN-GZ"});
  h.expect_error("not_authorized", "sh-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-GZ"});
  h.expect_error("not_eligible", "gd-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-SH"});
  // Beijing's programme pays for Beijing buyers only.
  h.expect_error("not_eligible", "gd-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-BJ"});
  h.ok("gd-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-GZ"});
  EXPECT_EQ(h.application(id)->state, ApplicationState::kPending);
  // One application per contract across all programmes: no double subsidy.
  h.expect_error("already_applied", "gd-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-GZ"});

  // Not completed yet.
  Id16 open = h.new_contract_id();
  h.ok("gd-buyer", TxType::kContractCreate,
       ContractCreate{open, h.actor("gz-prov").key.pubkey, {}, 1, 1, h.time() + kDayMs, {}});
  h.expect_error("invalid_state", "gd-buyer", TxType::kVoucherApply, VoucherApply{open, "CN-GZ"});
  // Guizhou's programme pays for Guizhou providers only.
  Id16 sc = completed("gd-buyer", "sc-prov", 100, 100);
  h.expect_error("not_eligible", "gd-buyer", TxType::kVoucherApply, VoucherApply{sc, "CN-GZ"});
  // A term longer than max_term_ms.
  Id16 long_term = completed("gd-buyer", "gz-prov", 100, 100, 31622400001);
  h.expect_error("not_eligible", "gd-buyer", TxType::kVoucherApply,
                 VoucherApply{long_term, "CN-GZ"});
}

// API.md: the type's own rules in the order its table lists them, and
// voucher_apply lists "completed and eligible" before "one application per
// contract (already_applied)".
TEST_F(VoucherTest, ApplyChecksEligibilityBeforeAlreadyApplied) {
  Id16 id = completed("gd-buyer", "gz-prov", 10000, 100);
  h.ok("gd-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-GZ"});
  // Already applied and not eligible (Beijing pays Beijing buyers; no Shanghai programme).
  h.expect_error("not_eligible", "gd-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-BJ"});
  h.expect_error("not_eligible", "gd-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-SH"});
  // Already applied and eligible.
  h.expect_error("already_applied", "gd-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-GZ"});
  EXPECT_EQ(h.application(id)->program, "CN-GZ");
  EXPECT_EQ(h.application(id)->state, ApplicationState::kPending);
}

TEST_F(VoucherTest, AffiliatedPartiesAreNotEligible) {
  // Same group, or one's credit code as the other's group.
  Actor& parent_prov = h.add_actor("group-prov", Role::kProvider, "CN-GZ");
  Actor& child = h.add_actor("child-buyer", Role::kBuyer, "CN-GD", parent_prov.credit_code);
  Actor& sibling = h.add_actor("sibling-buyer", Role::kBuyer, "CN-GD", "91520000MA6DLWCC5X");
  Actor& sib_prov = h.add_actor("sibling-prov", Role::kProvider, "CN-GZ", "91520000MA6DLWCC5X");
  for (const Actor* a : {&parent_prov, &child, &sibling, &sib_prov}) {
    h.ok("gz-reg", TxType::kParticipantRegister,
         ParticipantRegister{a->key.pubkey, a->role, a->province, a->name, a->credit_code,
                             a->group});
  }
  h.ok("gz-reg", TxType::kDeposit, Deposit{child.key.pubkey, 100000, "d1"});
  h.ok("gz-reg", TxType::kDeposit, Deposit{sibling.key.pubkey, 100000, "d2"});
  Id16 a = completed("child-buyer", "group-prov", 100, 100);
  h.expect_error("not_eligible", "child-buyer", TxType::kVoucherApply, VoucherApply{a, "CN-GZ"});
  Id16 b = completed("sibling-buyer", "sibling-prov", 100, 100);
  h.expect_error("not_eligible", "sibling-buyer", TxType::kVoucherApply, VoucherApply{b, "CN-GZ"});
  Id16 c = completed("sibling-buyer", "gz-prov", 100, 100);
  h.ok("sibling-buyer", TxType::kVoucherApply, VoucherApply{c, "CN-GZ"});
}

TEST_F(VoucherTest, SameCreditCodeIsAffiliated) {
  Actor& prov = h.add_actor("twin-prov", Role::kProvider, "CN-GZ");
  Actor& buyer = h.add_actor("twin-buyer", Role::kBuyer, "CN-GD");
  buyer.credit_code = prov.credit_code;
  for (const Actor* a : {&prov, &buyer}) {
    h.ok("gz-reg", TxType::kParticipantRegister,
         ParticipantRegister{a->key.pubkey, a->role, a->province, a->name, a->credit_code,
                             a->group});
  }
  h.ok("gz-reg", TxType::kDeposit, Deposit{buyer.key.pubkey, 10000000, "d1"});
  Id16 k = completed("twin-buyer", "twin-prov", 100, 100);
  h.expect_error("not_eligible", "twin-buyer", TxType::kVoucherApply, VoucherApply{k, "CN-GZ"});
  EXPECT_FALSE(h.application(k));
  // A voucher earned elsewhere cannot be deducted on a contract with the affiliate.
  Hash32 v = issued("twin-buyer", "gz-prov", 100000);
  ContractCreate c{h.new_contract_id(), prov.key.pubkey, {}, 10, 100, h.time() + kDayMs,
                   {VoucherUse{v, 100}}};
  h.expect_error("not_eligible", "twin-buyer", TxType::kContractCreate, c);
  EXPECT_FALSE(h.contract(c.contract_id));
  EXPECT_EQ(h.voucher(v)->remaining, 3000u);
  EXPECT_TRUE(h.check_supply());
}

TEST_F(VoucherTest, IssueAndRejectChecks) {
  Id16 id = completed("gd-buyer", "gz-prov", 10000, 100);  // ¥10,000.00 -> 3% = 3000 fen
  h.ok("gd-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-GZ"});
  h.expect_error("wrong_role", "gd-buyer", TxType::kVoucherIssue, ContractRef{id});
  h.expect_error("unknown_application", "gz-reg", TxType::kVoucherIssue, ContractRef{Id16{3}});
  h.expect_error("not_authorized", "bj-reg", TxType::kVoucherIssue, ContractRef{id});
  h.expect_error("not_authorized", "bj-reg", TxType::kVoucherReject, ContractReason{id, "no"});
  h.expect_error("wrong_role", "gd-buyer", TxType::kVoucherReject, ContractReason{id, "no"});
  h.expect_error("wrong_role", "gz-prov", TxType::kVoucherReject, ContractReason{id, "no"});
  h.expect_error("unknown_application", "gz-reg", TxType::kVoucherReject,
                 ContractReason{Id16{3}, "no"});
  h.ok("gz-reg", TxType::kVoucherIssue, ContractRef{id});
  Voucher v = *h.voucher(voucher_id_for(id));
  EXPECT_EQ(v.amount, 30000u);
  EXPECT_EQ(v.expires_at, v.issued_at + 31536000000u);
  EXPECT_EQ(v.province, "CN-GZ");
  h.expect_error("invalid_state", "gz-reg", TxType::kVoucherIssue, ContractRef{id});
  h.expect_error("invalid_state", "gz-reg", TxType::kVoucherReject, ContractReason{id, "late"});

  Id16 id2 = completed("sh-buyer", "gz-prov", 100, 100);
  h.ok("sh-buyer", TxType::kVoucherApply, VoucherApply{id2, "CN-GZ"});
  h.ok("gz-reg", TxType::kVoucherReject, ContractReason{id2, "材料不全"});
  EXPECT_EQ(h.application(id2)->state, ApplicationState::kRejected);
  EXPECT_EQ(h.application(id2)->reason, "材料不全");
  h.expect_error("already_applied", "sh-buyer", TxType::kVoucherApply,
                 VoucherApply{id2, "CN-GZ"});

  // A contract whose 3% rounds down to 0 fen.
  Id16 tiny = completed("sh-buyer", "gz-prov", 33, 1);
  h.ok("sh-buyer", TxType::kVoucherApply, VoucherApply{tiny, "CN-GZ"});
  h.expect_error("not_eligible", "gz-reg", TxType::kVoucherIssue, ContractRef{tiny});
  EXPECT_TRUE(h.check_supply());
}

TEST_F(VoucherTest, CapsPerVoucherPerBuyerPerYearAndBudget) {
  // A tight programme: 10%, 500 per voucher, 800 per buyer per year, budget 1,200.
  h.ok("gz-reg", TxType::kProgramSet,
       ProgramParams{"CN-GZ", Basis::kProvider, 1000, 500, 800, 31622400000, 31536000000, 1200});
  Hash32 v1 = issued("gd-buyer", "gz-prov", 10000);  // 10% = 1000, capped at 500
  EXPECT_EQ(h.voucher(v1)->amount, 500u);
  Hash32 v2 = issued("gd-buyer", "gz-prov", 10000);  // yearly cap leaves 300
  EXPECT_EQ(h.voucher(v2)->amount, 300u);
  Id16 k3 = completed("gd-buyer", "gz-prov", 10000, 1);
  h.ok("gd-buyer", TxType::kVoucherApply, VoucherApply{k3, "CN-GZ"});
  h.expect_error("cap_reached", "gz-reg", TxType::kVoucherIssue, ContractRef{k3});
  Hash32 v4 = issued("sh-buyer", "gz-prov", 10000);  // budget leaves 400
  EXPECT_EQ(h.voucher(v4)->amount, 400u);
  Id16 k5 = completed("bj-buyer", "gz-prov", 10000, 1);
  h.ok("bj-buyer", TxType::kVoucherApply, VoucherApply{k5, "CN-GZ"});
  h.expect_error("budget_exhausted", "gz-reg", TxType::kVoucherIssue, ContractRef{k5});
  EXPECT_EQ(program_available(h.program("CN-GZ")), 0u);

  // A revoke returns the unused rest to the budget but not to the yearly cap.
  h.ok("gz-reg", TxType::kVoucherRevoke, VoucherRevoke{v4, "误发"});
  EXPECT_EQ(program_available(h.program("CN-GZ")), 400u);
  EXPECT_EQ(h.voucher(v4)->state, VoucherState::kRevoked);
  h.ok("gz-reg", TxType::kVoucherIssue, ContractRef{k5});
  EXPECT_EQ(h.voucher(voucher_id_for(k5))->amount, 400u);
  Id16 k6 = completed("sh-buyer", "gz-prov", 10000, 1);
  h.ok("sh-buyer", TxType::kVoucherApply, VoucherApply{k6, "CN-GZ"});
  h.expect_error("budget_exhausted", "gz-reg", TxType::kVoucherIssue, ContractRef{k6});

  // The yearly cap counts per calendar year in UTC+8: a new year, a new cap.
  h.ok("gz-reg", TxType::kProgramSet,
       ProgramParams{"CN-GZ", Basis::kProvider, 1000, 500, 800, 31622400000, 31536000000, 5000});
  h.advance(366 * kDayMs);
  Hash32 next_year = issued("gd-buyer", "gz-prov", 10000);
  EXPECT_EQ(h.voucher(next_year)->amount, 500u);
  EXPECT_TRUE(h.check_supply());
}

// The yearly cap counts per calendar year in UTC+8 of the issuing block:
// 2026-12-31T16:00Z is already 2027-01-01 in Beijing time.
TEST_F(VoucherTest, YearlyCapFollowsTheCalendarYearInUtcPlus8) {
  constexpr uint64_t kHourMs = 3600000;
  constexpr uint64_t kDec31 = kGenesisTime + 364 * kDayMs;  // 2026-12-31T00:00Z
  ASSERT_EQ(year_utc8(kDec31 + 16 * kHourMs - 1), 2026u);
  ASSERT_EQ(year_utc8(kDec31 + 16 * kHourMs), 2027u);
  // 10%, 500 per voucher, 800 per buyer per year.
  h.ok("gz-reg", TxType::kProgramSet,
       ProgramParams{"CN-GZ", Basis::kProvider, 1000, 500, 800, 31622400000, 31536000000,
                     100000});
  std::vector<Id16> k;
  for (int i = 0; i < 5; ++i) {
    k.push_back(completed("gd-buyer", "gz-prov", 10000, 1));
    h.ok("gd-buyer", TxType::kVoucherApply, VoucherApply{k.back(), "CN-GZ"});
  }
  h.ok("gz-reg", TxType::kVoucherIssue, ContractRef{k[0]});
  EXPECT_EQ(h.voucher(voucher_id_for(k[0]))->amount, 500u);
  // 2026-12-31T15:30Z = 23:30 in UTC+8: counts against 2026, which leaves 300.
  h.advance(kDec31 + 15 * kHourMs + kHourMs / 2 - h.time());
  h.ok("gz-reg", TxType::kVoucherIssue, ContractRef{k[1]});
  EXPECT_EQ(h.voucher(voucher_id_for(k[1]))->amount, 300u);
  // 15:59:59Z: still 2026 in UTC+8, the cap is used up.
  h.advance(kDec31 + 16 * kHourMs - 1000 - h.time());
  h.expect_error("cap_reached", "gz-reg", TxType::kVoucherIssue, ContractRef{k[2]});
  // 16:00:00Z: 2027-01-01T00:00+08:00, a new year's cap.
  ASSERT_EQ(h.time(), kDec31 + 16 * kHourMs);
  h.ok("gz-reg", TxType::kVoucherIssue, ContractRef{k[2]});
  EXPECT_EQ(h.voucher(voucher_id_for(k[2]))->amount, 500u);
  // 16:30Z, still 2027-01-01 in UTC+8.
  h.advance(kDec31 + 16 * kHourMs + kHourMs / 2 - h.time());
  h.ok("gz-reg", TxType::kVoucherIssue, ContractRef{k[3]});
  EXPECT_EQ(h.voucher(voucher_id_for(k[3]))->amount, 300u);
  h.expect_error("cap_reached", "gz-reg", TxType::kVoucherIssue, ContractRef{k[4]});
  EXPECT_TRUE(h.check_supply());
}

// The yearly cap is per buyer's credit code: two keys of one company share it.
TEST_F(VoucherTest, YearlyCapIsPerCreditCodeAcrossKeys) {
  h.ok("gz-reg", TxType::kProgramSet,
       ProgramParams{"CN-GZ", Basis::kProvider, 1000, 500, 800, 31622400000, 31536000000,
                     100000});
  Actor& a = h.add_actor("corp-a", Role::kBuyer, "CN-GD");
  Actor& b = h.add_actor("corp-b", Role::kBuyer, "CN-SH");
  b.credit_code = a.credit_code;
  int n = 0;
  for (const Actor* x : {&a, &b}) {
    h.ok("gz-reg", TxType::kParticipantRegister,
         ParticipantRegister{x->key.pubkey, x->role, x->province, x->name, x->credit_code, ""});
    h.ok("gz-reg", TxType::kDeposit, Deposit{x->key.pubkey, 100000, "d" + std::to_string(++n)});
  }
  Hash32 va = issued("corp-a", "gz-prov", 10000);
  EXPECT_EQ(h.voucher(va)->amount, 500u);
  Hash32 vb = issued("corp-b", "gz-prov", 10000);  // the credit code's cap leaves 300
  EXPECT_EQ(h.voucher(vb)->amount, 300u);
  Id16 k = completed("corp-b", "gz-prov", 10000, 1);
  h.ok("corp-b", TxType::kVoucherApply, VoucherApply{k, "CN-GZ"});
  h.expect_error("cap_reached", "gz-reg", TxType::kVoucherIssue, ContractRef{k});
  // Another credit code has its own cap.
  Hash32 other = issued("gd-buyer", "gz-prov", 10000);
  EXPECT_EQ(h.voucher(other)->amount, 500u);
  EXPECT_TRUE(h.check_supply());
}

TEST_F(VoucherTest, ProgramSetChecks) {
  ProgramParams p{"CN-GZ", Basis::kProvider, 300, 100, 100, 1000, 1000, 0};
  h.expect_error("wrong_role", "gd-buyer", TxType::kProgramSet, p);
  h.expect_error("not_authorized", "bj-reg", TxType::kProgramSet, p);
  Hash32 v = issued("gd-buyer", "gz-prov", 100000);
  ASSERT_EQ(h.voucher(v)->amount, 3000u);
  p.budget = 2999;
  h.expect_error("invalid_state", "gz-reg", TxType::kProgramSet, p);
  p.budget = 3000;
  h.ok("gz-reg", TxType::kProgramSet, p);
  EXPECT_EQ(h.program("CN-GZ").params.max_per_voucher, 100u);
  EXPECT_EQ(h.program("CN-GZ").issued, 3000u);
  // A new province's programme.
  h.ok("bj-reg", TxType::kProgramSet,
       ProgramParams{"CN-BJ", Basis::kBuyer, 100, 1, 1, 1, 1, 0});
  EXPECT_EQ(h.program("CN-BJ").params.rate_bps, 100u);
  EXPECT_TRUE(h.check_supply());
}

TEST_F(VoucherTest, RedeemChecksAndCashBackFlows) {
  Hash32 v = issued("gd-buyer", "gz-prov", 100000);  // 3000 fen
  h.expect_error("wrong_role", "gz-prov", TxType::kVoucherRedeem, VoucherRedeem{v, 1});
  h.expect_error("unknown_voucher", "gd-buyer", TxType::kVoucherRedeem,
                 VoucherRedeem{Hash32{5}, 1});
  h.expect_error("not_authorized", "sh-buyer", TxType::kVoucherRedeem, VoucherRedeem{v, 1});
  h.expect_error("voucher_insufficient", "gd-buyer", TxType::kVoucherRedeem,
                 VoucherRedeem{v, 3001});
  uint64_t before = h.balance("gd-buyer");
  h.ok("gd-buyer", TxType::kVoucherRedeem, VoucherRedeem{v, 1000});
  h.ok("gd-buyer", TxType::kVoucherRedeem, VoucherRedeem{v, 2000});
  EXPECT_EQ(h.balance("gd-buyer"), before + 3000);
  EXPECT_EQ(h.voucher(v)->state, VoucherState::kSpent);
  EXPECT_EQ(h.program("CN-GZ").redeemed, 3000u);
  h.expect_error("voucher_insufficient", "gd-buyer", TxType::kVoucherRedeem, VoucherRedeem{v, 1});
  // Cash back: the Guizhou programme pays a Guangdong buyer.
  Statement s = h.statement(1);
  bool found = false;
  for (const auto& f : s.flows) {
    if (f.from == "CN-GZ" && f.to == "CN-GD") {
      EXPECT_EQ(f.amount, 3000u);
      EXPECT_EQ(f.count, 2u);
      found = true;
    }
  }
  EXPECT_TRUE(found);

  Hash32 r = issued("sh-buyer", "gz-prov", 100000);
  h.expect_error("not_authorized", "bj-reg", TxType::kVoucherRevoke, VoucherRevoke{r, "x"});
  h.expect_error("wrong_role", "sh-buyer", TxType::kVoucherRevoke, VoucherRevoke{r, "x"});
  h.expect_error("wrong_role", "gz-prov", TxType::kVoucherRevoke, VoucherRevoke{r, "x"});
  h.expect_error("unknown_voucher", "gz-reg", TxType::kVoucherRevoke, VoucherRevoke{Hash32{}, "x"});
  h.ok("gz-reg", TxType::kVoucherRevoke, VoucherRevoke{r, "fraud"});
  h.expect_error("invalid_state", "gz-reg", TxType::kVoucherRevoke, VoucherRevoke{r, "x"});
  h.expect_error("invalid_state", "sh-buyer", TxType::kVoucherRedeem, VoucherRedeem{r, 1});
  EXPECT_TRUE(h.check_supply());
}

TEST_F(VoucherTest, ExpiryReturnsMoneyToTheBudgetFromTheFirstLaterBlock) {
  h.ok("gz-reg", TxType::kProgramSet,
       ProgramParams{"CN-GZ", Basis::kProvider, 300, 500000000, 1000000000, 31622400000,
                     10 * kDayMs, 10000000000});
  Hash32 v = issued("gd-buyer", "gz-prov", 100000);
  Voucher voucher = *h.voucher(v);
  uint64_t available = program_available(h.program("CN-GZ"));
  // A block exactly at expires_at: still valid.
  h.advance(voucher.expires_at - h.time());
  h.ok("gd-buyer", TxType::kVoucherRedeem, VoucherRedeem{v, 1});
  // The next block is later: expired before its transactions.
  h.expect_error("voucher_expired", "gd-buyer", TxType::kVoucherRedeem, VoucherRedeem{v, 1});
  EXPECT_EQ(h.voucher(v)->state, VoucherState::kExpired);
  EXPECT_EQ(h.voucher(v)->remaining, 0u);
  EXPECT_EQ(program_available(h.program("CN-GZ")), available + 2999);
  h.expect_error("invalid_state", "gz-reg", TxType::kVoucherRevoke, VoucherRevoke{v, "x"});
  EXPECT_TRUE(h.check_supply());
}

TEST_F(VoucherTest, DeductionOfAnExpiredVoucherIsVoucherExpired) {
  h.ok("gz-reg", TxType::kProgramSet,
       ProgramParams{"CN-GZ", Basis::kProvider, 300, 500000000, 1000000000, 31622400000,
                     10 * kDayMs, 10000000000});
  Hash32 v = issued("gd-buyer", "gz-prov", 100000);
  h.advance(h.voucher(v)->expires_at - h.time() + 1);
  ContractCreate c{h.new_contract_id(), h.actor("gz-prov").key.pubkey, {}, 10, 100,
                   h.time() + kDayMs, {VoucherUse{v, 100}}};
  uint64_t balance = h.balance("gd-buyer");
  // The voucher expires at the start of this block, before its transaction.
  h.expect_error("voucher_expired", "gd-buyer", TxType::kContractCreate, c);
  EXPECT_EQ(h.voucher(v)->state, VoucherState::kExpired);
  EXPECT_FALSE(h.contract(c.contract_id));
  EXPECT_EQ(h.balance("gd-buyer"), balance);
  EXPECT_TRUE(h.check_supply());
}

TEST_F(VoucherTest, CashBackPastTheBalanceLimitIsOutOfRange) {
  Hash32 v = issued("gd-buyer", "gz-prov", 100000);  // 3000 fen
  h.ok("gz-reg", TxType::kDeposit,
       Deposit{h.actor("gd-buyer").key.pubkey, kAmountMax - h.totals().balances, "fill"});
  ASSERT_EQ(h.totals().balances, kAmountMax);
  h.expect_error("amount_out_of_range", "gd-buyer", TxType::kVoucherRedeem, VoucherRedeem{v, 1});
  EXPECT_EQ(h.voucher(v)->remaining, 3000u);
  EXPECT_EQ(h.program("CN-GZ").redeemed, 0u);
  h.ok("gd-buyer", TxType::kWithdraw, Withdraw{1, "out"});
  h.ok("gd-buyer", TxType::kVoucherRedeem, VoucherRedeem{v, 1});
  EXPECT_EQ(h.totals().balances, kAmountMax);
  EXPECT_TRUE(h.check_supply());
}

TEST_F(VoucherTest, DeductionChecksAndReturnsAfterExpiryGoToBudget) {
  Hash32 v = issued("gd-buyer", "gz-prov", 1000000);  // 30,000 fen
  PubKey prov = h.actor("gz-prov").key.pubkey;
  auto create = [&](std::vector<VoucherUse> uses, const std::string& provider = "gz-prov") {
    return ContractCreate{h.new_contract_id(), h.actor(provider).key.pubkey, {}, 100, 1000,
                          h.time() + 30 * kDayMs, std::move(uses)};
  };
  h.expect_error("not_authorized", "sh-buyer", TxType::kContractCreate, create({{v, 1}}));
  h.expect_error("invalid_state", "gd-buyer", TxType::kContractCreate, create({{v, 1}, {v, 1}}));
  h.expect_error("not_eligible", "gd-buyer", TxType::kContractCreate, create({{v, 1}}, "sc-prov"));
  h.expect_error("voucher_insufficient", "gd-buyer", TxType::kContractCreate,
                 create({{v, 30001}}));
  ContractCreate small{h.new_contract_id(), prov, {}, 1, 100, h.time() + kDayMs, {{v, 101}}};
  h.expect_error("amount_out_of_range", "gd-buyer", TxType::kContractCreate, small);

  ContractCreate c = create({{v, 30000}});
  h.ok("gd-buyer", TxType::kContractCreate, c);
  EXPECT_EQ(h.voucher(v)->state, VoucherState::kSpent);
  // Rejected: the deduction returns to the voucher.
  h.ok("gz-prov", TxType::kContractReject, ContractReason{c.contract_id, "busy"});
  EXPECT_EQ(h.voucher(v)->remaining, 30000u);
  EXPECT_EQ(h.voucher(v)->state, VoucherState::kActive);

  ContractCreate c2 = create({{v, 30000}});
  h.ok("gd-buyer", TxType::kContractCreate, c2);
  // The voucher is revoked while its money sits in escrow: on cancel that money
  // goes to the programme's budget instead.
  uint64_t available = program_available(h.program("CN-GZ"));
  h.ok("gz-reg", TxType::kVoucherRevoke, VoucherRevoke{v, "audit"});
  EXPECT_EQ(program_available(h.program("CN-GZ")), available);
  h.ok("gd-buyer", TxType::kContractCancel, ContractRef{c2.contract_id});
  EXPECT_EQ(program_available(h.program("CN-GZ")), available + 30000);
  EXPECT_EQ(h.voucher(v)->remaining, 0u);
  h.expect_error("invalid_state", "gd-buyer", TxType::kContractCreate, create({{v, 1}}));
  EXPECT_TRUE(h.check_supply());
}

TEST_F(VoucherTest, BeijingProgrammePaysTwentyPercentForBeijingBuyers) {
  // A Beijing buyer buys from Sichuan: Beijing's programme applies, Guizhou's does not.
  Id16 id = completed("bj-buyer", "sc-prov", 100000, 100);  // ¥100,000.00
  h.expect_error("not_eligible", "bj-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-GZ"});
  h.ok("bj-buyer", TxType::kVoucherApply, VoucherApply{id, "CN-BJ"});
  h.expect_error("not_authorized", "gz-reg", TxType::kVoucherIssue, ContractRef{id});
  h.ok("bj-reg", TxType::kVoucherIssue, ContractRef{id});
  Voucher v = *h.voucher(voucher_id_for(id));
  EXPECT_EQ(v.amount, 2000000u);  // 20% = ¥20,000.00
  EXPECT_EQ(v.province, "CN-BJ");
  // Deducted on a Guizhou contract: the Beijing programme pays a Guizhou provider.
  Id16 k2 = h.new_contract_id();
  h.ok("bj-buyer", TxType::kContractCreate,
       ContractCreate{k2, h.actor("gz-prov").key.pubkey, {}, 300, 10000, h.time() + kDayMs,
                      {VoucherUse{v.voucher_id, 2000000}}});
  h.ok("gz-prov", TxType::kContractAccept, ContractRef{k2});
  h.ok("gz-prov", TxType::kDeliveryReport, DeliveryReport{k2, 300, Hash32{}});
  h.ok("bj-buyer", TxType::kDeliveryAck, DeliveryRef{k2, 1});
  // ¥30,000.00 paid: ¥20,000.00 by the Beijing programme, ¥10,000.00 by the buyer;
  // both from Beijing to Guizhou, one payment per payer.
  Statement s = h.statement(1);
  uint64_t bj_gz = 0, count = 0;
  for (const auto& f : s.flows) {
    if (f.from == "CN-BJ" && f.to == "CN-GZ") {
      bj_gz = f.amount;
      count = f.count;
    }
  }
  EXPECT_EQ(bj_gz, 3000000u);
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(h.contract(k2)->settled_buyer_funded, 1000000u);
  EXPECT_EQ(h.program("CN-BJ").redeemed, 2000000u);
  EXPECT_TRUE(h.check_supply());
}

}  // namespace
}  // namespace suanli::ledger::testing
