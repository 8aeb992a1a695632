#include "rpc/views.h"

#include "ledger/ledger.h"

namespace suanli::rpc {

using nlohmann::json;

json participant_json(const ledger::Participant& p) {
  return json{{"pubkey", to_hex(p.pubkey)},
              {"role", ledger::role_name(p.role)},
              {"province", p.province},
              {"name", p.name},
              {"credit_code", p.credit_code},
              {"group", p.group},
              {"balance", p.balance},
              {"frozen", p.frozen},
              {"registered_height", p.registered_height}};
}

namespace {

json delivery_json(const ledger::Delivery& d) {
  json out{{"seq", d.seq},
           {"quantity", d.quantity},
           {"evidence", to_hex(d.evidence)},
           {"state", ledger::delivery_state_name(d.state)},
           {"reported_at", d.reported_at}};
  if (d.state == ledger::DeliveryState::kResolved) out["accepted_quantity"] = d.accepted_quantity;
  return out;
}

}  // namespace

json contract_json(const ledger::Contract& c) {
  json deductions = json::array();
  for (const auto& d : c.deductions) {
    // `spent` and `returned` are additions to API.md's {voucher_id, amount}.
    deductions.push_back(json{{"voucher_id", to_hex(d.voucher_id)},
                              {"amount", d.amount},
                              {"spent", d.spent},
                              {"returned", d.returned}});
  }
  json deliveries = json::array();
  for (const auto& d : c.deliveries) deliveries.push_back(delivery_json(d));
  return json{
      {"contract_id", to_hex(c.contract_id)},
      {"buyer", to_hex(c.buyer)},
      {"provider", to_hex(c.provider)},
      {"resource", json{{"class", ledger::resource_class_name(c.resource.cls)},
                        {"model", c.resource.model},
                        {"unit", ledger::resource_unit_name(c.resource.unit)}}},
      {"quantity", c.quantity},
      {"unit_price", c.unit_price},
      {"amount", c.amount},
      {"created_at", c.created_at},
      {"deadline", c.deadline},
      {"state", ledger::contract_state_name(c.state)},
      {"delivered", c.delivered},
      {"settled", c.settled},
      {"settled_buyer_funded", c.settled_buyer_funded},
      {"escrow", json{{"buyer_funded", c.escrow_buyer}, {"voucher_funded", c.escrow_voucher}}},
      {"deductions", std::move(deductions)},
      {"deliveries", std::move(deliveries)},
      {"cross_province", c.cross_province}};
}

json application_json(const ledger::Application& a) {
  json out{{"contract_id", to_hex(a.contract_id)},
           {"buyer", to_hex(a.buyer)},
           {"program", a.program},
           {"state", ledger::application_state_name(a.state)}};
  if (a.voucher_id) out["voucher_id"] = to_hex(*a.voucher_id);
  if (!a.reason.empty()) out["reason"] = a.reason;
  return out;
}

json voucher_json(const ledger::Voucher& v) {
  return json{{"voucher_id", to_hex(v.voucher_id)}, {"contract_id", to_hex(v.contract_id)},
              {"buyer", to_hex(v.buyer)},           {"province", v.province},
              {"issuer", to_hex(v.issuer)},         {"amount", v.amount},
              {"remaining", v.remaining},           {"issued_at", v.issued_at},
              {"expires_at", v.expires_at},         {"state", ledger::voucher_state_name(v.state)}};
}

json program_json(const ledger::Program& p) {
  const ledger::ProgramParams& g = p.params;
  return json{{"province", g.province},
              {"basis", ledger::basis_name(g.basis)},
              {"rate_bps", g.rate_bps},
              {"max_per_voucher", g.max_per_voucher},
              {"max_per_buyer_per_year", g.max_per_buyer_per_year},
              {"max_term_ms", g.max_term_ms},
              {"validity_ms", g.validity_ms},
              {"budget", g.budget},
              {"issued", p.issued},
              {"redeemed", p.redeemed},
              {"available", ledger::program_available(p)}};
}

json statement_json(const ledger::Statement& s, uint64_t applied_height) {
  json flows = json::array();
  for (const auto& f : s.flows) {
    flows.push_back(json{{"from", f.from}, {"to", f.to}, {"amount", f.amount}, {"count", f.count}});
  }
  json net = json::array();
  for (const auto& [province, amount] : ledger::net_positions(s)) {
    net.push_back(json{{"province", province}, {"amount", amount}});
  }
  json signatures = json::array();
  for (const auto& sig : s.signatures) {
    signatures.push_back(
        json{{"province", sig.province}, {"signer", to_hex(sig.signer)}, {"height", sig.height}});
  }
  bool open = s.status == ledger::StatementStatus::kOpen;
  return json{{"period", s.period},           {"status", ledger::statement_status_name(s.status)},
              {"from_height", s.from_height}, {"to_height", open ? applied_height : s.to_height},
              {"flows", std::move(flows)},    {"net", std::move(net)},
              {"unattested", s.unattested},   {"signatures", std::move(signatures)}};
}

json proposal_json(const ledger::Proposal& p) {
  json out{{"proposal", to_hex(p.id)},
           {"approvals", p.approvals},
           {"state", p.state == ledger::ProposalState::kDone ? "done" : "pending"},
           // Additions to API.md's fields:
           {"proposer", to_hex(p.proposer)},
           {"created_height", p.created_height}};
  if (p.state == ledger::ProposalState::kDone) out["done_height"] = p.done_height;
  if (p.kind == ledger::ProposalKind::kNode) {
    out["action"] = ledger::node_action_name(p.node.action);
    out["node_id"] = p.node.node_id;
    out["pubkey"] = to_hex(p.node.pubkey);
    out["address"] = p.node.address;
  } else {
    // A regulator proposal (regulator_propose): API.md's table shows the node form only.
    out["action"] = "add_regulator";
    out["pubkey"] = to_hex(p.regulator.pubkey);
    out["province"] = p.regulator.province;
    out["name"] = p.regulator.name;
    out["credit_code"] = p.regulator.credit_code;
  }
  return out;
}

json block_json(const ledger::BlockRecord& b) {
  json txs = json::array();
  for (const auto& h : b.tx_hashes) txs.push_back(to_hex(h));
  json rejected = json::array();
  for (const auto& h : b.rejected) rejected.push_back(to_hex(h));
  const ledger::BlockHeader& h = b.header;
  return json{{"height", h.height},
              {"hash", to_hex(b.hash)},
              {"prev_hash", to_hex(h.prev_hash)},
              {"time", h.time},
              {"proposer", h.proposer},
              {"tx_root", to_hex(h.tx_root)},
              {"state_height", h.state_height},
              {"state_hash", to_hex(h.state_hash)},
              {"tx_count", h.tx_count},
              {"txs", std::move(txs)},
              {"rejected", std::move(rejected)},
              {"signature", to_hex(b.signature)}};
}

json result_json(const ledger::TxRecord& r) {
  if (r.ok) return json{{"ok", true}};
  return json{{"ok", false}, {"error", r.error}, {"message", r.message}};
}

}  // namespace suanli::rpc
