// Settlement periods (province-to-province flows, statements, co-signing)
// and membership/regulator proposals.
#include <algorithm>
#include <map>
#include <set>

#include "common/money.h"
#include "ledger/apply_internal.h"

namespace suanli::ledger {

TxStatus add_flow(Ctx& c, const std::string& from, const std::string& to, uint64_t amount) {
  if (from == to || amount == 0) return std::nullopt;
  uint64_t period = c.st.meta_u64("period");
  auto stmt = c.st.statement(period);
  SUANLI_ASSERT(stmt && stmt->status == StatementStatus::kOpen);
  auto it = std::lower_bound(stmt->flows.begin(), stmt->flows.end(), std::pair(from, to),
                             [](const Flow& f, const std::pair<std::string, std::string>& key) {
                               return std::tie(f.from, f.to) < std::tie(key.first, key.second);
                             });
  if (it == stmt->flows.end() || it->from != from || it->to != to) {
    it = stmt->flows.insert(it, Flow{from, to, 0, 0});
  }
  auto total = checked_add(it->amount, amount);
  if (!total) return fail("amount_out_of_range", "the period's flow would exceed 2^53-1");
  it->amount = *total;
  it->count += 1;
  c.st.put(*stmt);
  return std::nullopt;
}

TxStatus apply_settlement_close(Ctx& c) {
  uint64_t period = c.st.meta_u64("period");
  auto stmt = c.st.statement(period);
  SUANLI_ASSERT(stmt.has_value());
  if (stmt->flows.empty()) return fail("nothing_to_settle", "the open period has no flows");
  std::set<std::string> involved;
  for (const auto& f : stmt->flows) {
    involved.insert(f.from);
    involved.insert(f.to);
  }
  for (const auto& province : involved) {
    (c.st.regulators(province) > 0 ? stmt->required : stmt->unattested).push_back(province);
  }
  stmt->status = stmt->required.empty() ? StatementStatus::kFinal : StatementStatus::kClosed;
  stmt->to_height = c.height;
  c.st.put(*stmt);
  Statement next;
  next.period = period + 1;
  next.from_height = c.height + 1;
  c.st.put(next);
  c.st.set_meta_u64("period", period + 1);
  return std::nullopt;
}

TxStatus apply_settlement_sign(Ctx& c, const SettlementSign& p) {
  auto stmt = c.st.statement(p.period);
  if (!stmt) return fail("unknown_period", "no settlement period " + std::to_string(p.period));
  if (stmt->status == StatementStatus::kOpen) {
    return fail("invalid_state", "period " + std::to_string(p.period) + " is still open");
  }
  const std::string& province = c.signer.province;
  if (std::find(stmt->required.begin(), stmt->required.end(), province) == stmt->required.end()) {
    return fail("not_authorized", province + " is not a signing party of this statement");
  }
  for (const auto& s : stmt->signatures) {
    if (s.province == province) return fail("already_signed", province + " has already signed");
  }
  stmt->signatures.push_back(StatementSignature{province, c.signer.pubkey, c.height});
  if (stmt->signatures.size() == stmt->required.size()) stmt->status = StatementStatus::kFinal;
  c.st.put(*stmt);
  return std::nullopt;
}

namespace {

// Checks a membership change against the current membership.
TxStatus check_node_change(Ctx& c, const NodePropose& p) {
  auto existing = c.st.node(p.node_id);
  switch (p.action) {
    case NodeAction::kAddVoter:
      if (existing && existing->role == NodeRole::kVoter) {
        return fail("invalid_state", "node " + p.node_id + " is already a voter");
      }
      if (existing && existing->pubkey != p.pubkey) {
        return fail("invalid_state", "node " + p.node_id + " has a different pubkey");
      }
      break;
    case NodeAction::kAddLearner:
      if (existing) return fail("invalid_state", "node " + p.node_id + " is already a member");
      break;
    case NodeAction::kRemove:
      if (!existing) return fail("invalid_state", "node " + p.node_id + " is not a member");
      return std::nullopt;
  }
  bool key_in_use = false;
  std::string start = keys::node("");
  c.st.kv().scan(start, keys::family_end(start), [&](std::string_view, std::string_view raw) {
    NodeMember m;
    SUANLI_ASSERT(decode(raw, m));
    if (m.pubkey == p.pubkey && m.node_id != p.node_id) key_in_use = true;
    return !key_in_use;
  });
  if (key_in_use) return fail("invalid_state", "the pubkey belongs to another node");
  return std::nullopt;
}

TxStatus carry_out(Ctx& c, Proposal& prop) {
  if (prop.kind == ProposalKind::kNode) {
    if (auto s = check_node_change(c, prop.node)) return s;
    if (prop.node.action == NodeAction::kRemove) {
      c.st.erase_node(prop.node.node_id);
    } else {
      NodeRole role =
          prop.node.action == NodeAction::kAddVoter ? NodeRole::kVoter : NodeRole::kLearner;
      c.st.put(NodeMember{prop.node.node_id, prop.node.pubkey, prop.node.address, role});
    }
    c.membership.push_back(prop.node);
  } else {
    const RegulatorPropose& r = prop.regulator;
    if (c.st.participant(r.pubkey)) return fail("already_registered", "pubkey already registered");
    Participant p;
    p.pubkey = r.pubkey;
    p.role = Role::kRegulator;
    p.province = r.province;
    p.name = r.name;
    p.credit_code = r.credit_code;
    p.registered_height = c.height;
    c.st.put(p);
    c.st.set_regulators(r.province, c.st.regulators(r.province) + 1);
  }
  prop.state = ProposalState::kDone;
  prop.done_height = c.height;
  return std::nullopt;
}

TxStatus open_proposal(Ctx& c, Proposal prop) {
  prop.id = c.tx.hash;
  prop.proposer = c.signer.pubkey;
  prop.approvals.push_back(c.signer.province);
  prop.created_height = c.height;
  if (prop.approvals.size() >= c.policy.membership_approvals) {
    if (auto s = carry_out(c, prop)) return s;
  }
  c.st.put(prop);
  return std::nullopt;
}

}  // namespace

TxStatus apply_node_propose(Ctx& c, const NodePropose& p) {
  if (auto s = check_node_change(c, p)) return s;
  Proposal prop;
  prop.kind = ProposalKind::kNode;
  prop.node = p;
  return open_proposal(c, std::move(prop));
}

TxStatus apply_regulator_propose(Ctx& c, const RegulatorPropose& p) {
  if (c.st.participant(p.pubkey)) return fail("already_registered", "pubkey already registered");
  Proposal prop;
  prop.kind = ProposalKind::kRegulator;
  prop.regulator = p;
  return open_proposal(c, std::move(prop));
}

TxStatus apply_proposal_approve(Ctx& c, const ProposalApprove& p) {
  auto prop = c.st.proposal(p.proposal);
  if (!prop) return fail("unknown_proposal", "no proposal " + to_hex(p.proposal));
  if (prop->state == ProposalState::kDone) return fail("invalid_state", "the proposal is done");
  const std::string& province = c.signer.province;
  if (std::find(prop->approvals.begin(), prop->approvals.end(), province) !=
      prop->approvals.end()) {
    return fail("already_approved", province + " has already approved");
  }
  prop->approvals.push_back(province);
  if (prop->approvals.size() >= c.policy.membership_approvals) {
    if (auto s = carry_out(c, *prop)) return s;
  }
  c.st.put(*prop);
  return std::nullopt;
}

}  // namespace suanli::ledger

namespace suanli::ledger {

std::vector<std::pair<std::string, int64_t>> net_positions(const Statement& s) {
  std::map<std::string, int64_t> net;
  for (const auto& f : s.flows) {
    net[f.from] -= static_cast<int64_t>(f.amount);
    net[f.to] += static_cast<int64_t>(f.amount);
  }
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& [province, amount] : net) {
    if (amount != 0) out.emplace_back(province, amount);
  }
  return out;
}

}  // namespace suanli::ledger
