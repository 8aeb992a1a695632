// Settlement periods, statements and co-signing; membership and regulator proposals.
#include <gtest/gtest.h>

#include "tests/ledger/harness_util.h"

namespace suanli::ledger::testing {
namespace {

TEST(SettlementTest, CloseAndSignRules) {
  Harness h;
  h.expect_error("wrong_role", "gd-buyer", TxType::kSettlementClose, SettlementClose{});
  h.expect_error("nothing_to_settle", "gz-reg", TxType::kSettlementClose, SettlementClose{});
  // Guangdong buyer pays Guizhou provider; Guangdong has no regulator on the ledger.
  h.ok("gd-buyer", TxType::kTransfer, Transfer{h.actor("gz-prov").key.pubkey, 500, ""});
  h.ok("bj-buyer", TxType::kTransfer, Transfer{h.actor("gz-prov").key.pubkey, 700, ""});
  uint64_t close_height = h.height() + 1;
  h.ok("bj-reg", TxType::kSettlementClose, SettlementClose{});
  Statement s = h.statement(1);
  EXPECT_EQ(s.status, StatementStatus::kClosed);
  EXPECT_EQ(s.from_height, 1u);
  EXPECT_EQ(s.to_height, close_height);
  EXPECT_EQ(s.required, (std::vector<std::string>{"CN-BJ", "CN-GZ"}));
  EXPECT_EQ(s.unattested, (std::vector<std::string>{"CN-GD"}));
  Statement next = h.statement(2);
  EXPECT_EQ(next.status, StatementStatus::kOpen);
  EXPECT_EQ(next.from_height, close_height + 1);

  h.expect_error("wrong_role", "gd-buyer", TxType::kSettlementSign, SettlementSign{1});
  h.expect_error("wrong_role", "gz-prov", TxType::kSettlementSign, SettlementSign{1});
  h.expect_error("unknown_period", "gz-reg", TxType::kSettlementSign, SettlementSign{3});
  h.expect_error("unknown_period", "gz-reg", TxType::kSettlementSign, SettlementSign{0});
  h.expect_error("invalid_state", "gz-reg", TxType::kSettlementSign, SettlementSign{2});
  Actor& sh = h.add_actor("sh-reg", Role::kRegulator, "CN-SH");
  h.ok("gz-reg", TxType::kRegulatorPropose,
       RegulatorPropose{sh.key.pubkey, "CN-SH", "上海市", sh.credit_code});
  h.ok("bj-reg", TxType::kProposalApprove,
       ProposalApprove{h.history().back().outcomes[0].hash});
  h.expect_error("not_authorized", "sh-reg", TxType::kSettlementSign, SettlementSign{1});
  h.ok("bj-reg", TxType::kSettlementSign, SettlementSign{1});
  h.expect_error("already_signed", "bj-reg", TxType::kSettlementSign, SettlementSign{1});
  EXPECT_EQ(h.statement(1).status, StatementStatus::kClosed);
  h.ok("gz-reg", TxType::kSettlementSign, SettlementSign{1});
  EXPECT_EQ(h.statement(1).status, StatementStatus::kFinal);
  h.expect_error("already_signed", "gz-reg", TxType::kSettlementSign, SettlementSign{1});
  auto net = net_positions(h.statement(1));
  ASSERT_EQ(net.size(), 3u);
  EXPECT_EQ(net[0], (std::pair<std::string, int64_t>{"CN-BJ", -700}));
  EXPECT_EQ(net[1], (std::pair<std::string, int64_t>{"CN-GD", -500}));
  EXPECT_EQ(net[2], (std::pair<std::string, int64_t>{"CN-GZ", 1200}));
}

TEST(SettlementTest, StatementWithNoRegulatorsIsFinalAtOnce) {
  Harness h;
  h.ok("gd-buyer", TxType::kTransfer, Transfer{h.actor("sc-prov").key.pubkey, 5, ""});
  h.ok("gz-reg", TxType::kSettlementClose, SettlementClose{});
  EXPECT_EQ(h.statement(1).status, StatementStatus::kFinal);
  EXPECT_TRUE(h.statement(1).required.empty());
}

TEST(ProposalTest, NodeMembershipNeedsApprovalsOfDistinctProvinces) {
  Harness h;
  NodePropose add{NodeAction::kAddLearner, "bj-1", h.add_actor("node", Role::kBuyer, "CN-BJ")
                                                       .key.pubkey, "127.0.0.1:7609"};
  h.expect_error("wrong_role", "bj-buyer", TxType::kNodePropose, add);
  auto out = h.block({h.make("gz-reg", TxType::kNodePropose, add)});
  ASSERT_TRUE(out[0].record.ok);
  Hash32 id = out[0].hash;
  EXPECT_TRUE(h.history().back().membership_changes.empty());
  h.expect_error("already_approved", "gz-reg", TxType::kProposalApprove, ProposalApprove{id});
  h.expect_error("unknown_proposal", "bj-reg", TxType::kProposalApprove,
                 ProposalApprove{Hash32{4}});
  h.ok("bj-reg", TxType::kProposalApprove, ProposalApprove{id});
  ASSERT_EQ(h.history().back().membership_changes.size(), 1u);
  EXPECT_EQ(h.history().back().membership_changes[0].node_id, "bj-1");
  h.expect_error("invalid_state", "bj-reg", TxType::kProposalApprove, ProposalApprove{id});
  // Adding the same learner again, or a key of another node, is refused.
  h.expect_error("invalid_state", "gz-reg", TxType::kNodePropose, add);
  NodePropose other = add;
  other.node_id = "bj-2";
  other.action = NodeAction::kAddVoter;
  h.expect_error("invalid_state", "gz-reg", TxType::kNodePropose, other);
  // Promotion of the learner, and removal of an unknown node.
  NodePropose promote = add;
  promote.action = NodeAction::kAddVoter;
  h.ok("gz-reg", TxType::kNodePropose, promote);
  NodePropose remove_unknown{NodeAction::kRemove, "nope", PubKey{}, "x:1"};
  h.expect_error("invalid_state", "gz-reg", TxType::kNodePropose, remove_unknown);
}

TEST(ProposalTest, ApproveCodes) {
  Harness h;
  Actor& zj = h.add_actor("zj-reg", Role::kRegulator, "CN-ZJ");
  auto out = h.block({h.make("gz-reg", TxType::kRegulatorPropose,
                             RegulatorPropose{zj.key.pubkey, "CN-ZJ", "浙江省", zj.credit_code})});
  ASSERT_TRUE(out[0].record.ok);
  Hash32 id = out[0].hash;
  h.expect_error("wrong_role", "bj-buyer", TxType::kProposalApprove, ProposalApprove{id});
  h.expect_error("wrong_role", "gz-prov", TxType::kProposalApprove, ProposalApprove{id});
  // Meanwhile the key is registered as a buyer: the approval that would carry
  // the proposal out fails (ledger/apply_settlement.cc carry_out) and the
  // proposal stays pending.
  h.ok("gz-reg", TxType::kParticipantRegister,
       ParticipantRegister{zj.key.pubkey, Role::kBuyer, "CN-ZJ", "x", zj.credit_code, ""});
  h.expect_error("already_registered", "bj-reg", TxType::kProposalApprove, ProposalApprove{id});
  auto prop = h.proposal(id);
  ASSERT_TRUE(prop);
  EXPECT_EQ(prop->state, ProposalState::kPending);
  EXPECT_EQ(prop->approvals, (std::vector<std::string>{"CN-GZ"}));
  EXPECT_EQ(h.participant("zj-reg").role, Role::kBuyer);
}

TEST(ProposalTest, RegulatorOfANewProvince) {
  Harness h;
  Actor& sc = h.add_actor("sc-reg", Role::kRegulator, "CN-SC");
  RegulatorPropose p{sc.key.pubkey, "CN-SC", "四川省大数据中心", sc.credit_code};
  h.expect_error("wrong_role", "gz-prov", TxType::kRegulatorPropose, p);
  auto out = h.block({h.make("gz-reg", TxType::kRegulatorPropose, p)});
  ASSERT_TRUE(out[0].record.ok);
  h.expect_error("unknown_signer", "sc-reg", TxType::kSettlementClose, SettlementClose{});
  h.ok("bj-reg", TxType::kProposalApprove, ProposalApprove{out[0].hash});
  Participant reg = h.participant("sc-reg");
  EXPECT_EQ(reg.role, Role::kRegulator);
  EXPECT_EQ(reg.province, "CN-SC");
  // Now a Sichuan regulator can register Sichuan regulators itself.
  Actor& sc2 = h.add_actor("sc-reg2", Role::kRegulator, "CN-SC");
  h.ok("sc-reg", TxType::kParticipantRegister,
       ParticipantRegister{sc2.key.pubkey, Role::kRegulator, "CN-SC", "x", sc2.credit_code, ""});
  h.expect_error("already_registered", "gz-reg", TxType::kRegulatorPropose, p);
}

}  // namespace
}  // namespace suanli::ledger::testing
