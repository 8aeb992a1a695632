#include "genesis/genesis.h"

#include <set>

#include "common/money.h"
#include "genesis/json_fields.h"
#include "genesis/limits.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "ledger/validate.h"

namespace suanli::genesis {
namespace {

using ledger::Genesis;
using nlohmann::json;

constexpr const char* kCode = "invalid_genesis";

bool is_dns_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return host.front() != '-' && host.front() != '.';
}

bool is_ipv6_literal(std::string_view host) {
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  std::string_view inner = host.substr(1, host.size() - 2);
  if (inner.find(':') == std::string_view::npos) return false;
  for (char c : inner) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == ':' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<ledger::Policy> parse_policy(const ObjectReader& top) {
  ObjectReader r(top.at("policy"), "policy", kCode);
  Status s = r.check_members({"max_tx_validity_ms", "ack_window_ms", "max_block_txs",
                              "max_block_bytes", "membership_approvals"});
  if (!s) return s;
  ledger::Policy p;
  auto validity = r.uint("max_tx_validity_ms", 1, kTxValidityMsMax);
  if (!validity) return validity.status();
  auto ack = r.uint("ack_window_ms", 1, kAckWindowMsMax);
  if (!ack) return ack.status();
  auto txs = r.uint("max_block_txs", 1, kBlockTxsMax);
  if (!txs) return txs.status();
  auto bytes = r.uint("max_block_bytes", kBlockBytesMin, kBlockBytesMax);
  if (!bytes) return bytes.status();
  auto approvals = r.uint("membership_approvals", 1, kMembershipApprovalsMax);
  if (!approvals) return approvals.status();
  p.max_tx_validity_ms = *validity;
  p.ack_window_ms = *ack;
  p.max_block_txs = *txs;
  p.max_block_bytes = *bytes;
  p.membership_approvals = *approvals;
  return p;
}

Result<ledger::ProgramParams> parse_program(const json& value, const std::string& path) {
  ObjectReader r(value, path, kCode);
  Status s = r.check_members({"province", "basis", "rate_bps", "max_per_voucher",
                              "max_per_buyer_per_year", "max_term_ms", "validity_ms", "budget"});
  if (!s) return s;
  ledger::ProgramParams p;
  auto province = r.string("province");
  if (!province) return province.status();
  if (!ledger::is_province(*province)) return r.error("province", "not a province code");
  p.province = *province;
  auto basis_text = r.string("basis");
  if (!basis_text) return basis_text.status();
  auto basis = ledger::basis_from_name(*basis_text);
  if (!basis) return r.error("basis", "must be \"provider\" or \"buyer\"");
  p.basis = *basis;
  struct Field {
    std::string_view name;
    uint64_t min, max;
    uint64_t* out;
  };
  const Field fields[] = {
      {"rate_bps", 1, kRateBpsMax, &p.rate_bps},
      {"max_per_voucher", 1, kAmountMax, &p.max_per_voucher},
      {"max_per_buyer_per_year", 1, kAmountMax, &p.max_per_buyer_per_year},
      {"max_term_ms", 1, kTimeMax, &p.max_term_ms},
      {"validity_ms", 1, kTimeMax, &p.validity_ms},
      {"budget", 1, kAmountMax, &p.budget},
  };
  for (const Field& f : fields) {
    auto v = r.uint(f.name, f.min, f.max);
    if (!v) return v.status();
    *f.out = *v;
  }
  return p;
}

Result<ledger::GenesisParticipant> parse_participant(const json& value, const std::string& path) {
  ObjectReader r(value, path, kCode);
  Status s =
      r.check_members({"pubkey", "role", "province", "name", "credit_code", "group", "balance"});
  if (!s) return s;
  ledger::GenesisParticipant p;
  auto pubkey = r.string("pubkey");
  if (!pubkey) return pubkey.status();
  auto key = from_hex_array<32>(*pubkey);
  if (!key) return r.error("pubkey", "must be 64 lowercase hex characters");
  p.pubkey = *key;
  auto role_text = r.string("role");
  if (!role_text) return role_text.status();
  auto role = ledger::role_from_name(*role_text);
  if (!role) return r.error("role", "must be \"regulator\", \"provider\" or \"buyer\"");
  p.role = *role;
  auto province = r.string("province");
  if (!province) return province.status();
  if (!ledger::is_province(*province)) return r.error("province", "not a province code");
  p.province = *province;
  auto name = r.string("name");
  if (!name) return name.status();
  size_t len = ledger::code_points(*name);
  if (len < 1 || len > kNameCodePointsMax) return r.error("name", "must be 1..128 characters");
  p.name = *name;
  auto code = r.string("credit_code");
  if (!code) return code.status();
  if (!ledger::is_credit_code(*code)) return r.error("credit_code", "not a valid credit code");
  p.credit_code = *code;
  auto group = r.string("group");
  if (!group) return group.status();
  if (!group->empty() && !ledger::is_credit_code(*group)) {
    return r.error("group", "must be \"\" or a valid credit code");
  }
  p.group = *group;
  auto balance = r.uint("balance", 0, kAmountMax);
  if (!balance) return balance.status();
  // Deposits, transfers and withdrawals involve providers and buyers only:
  // money given to a regulator could never move.
  if (p.role == ledger::Role::kRegulator && *balance != 0) {
    return r.error("balance", "must be 0 for a regulator");
  }
  p.balance = *balance;
  return p;
}

Result<ledger::GenesisNode> parse_node(const json& value, const std::string& path) {
  ObjectReader r(value, path, kCode);
  Status s = r.check_members({"node_id", "pubkey", "address", "role"});
  if (!s) return s;
  ledger::GenesisNode n;
  auto id = r.string("node_id");
  if (!id) return id.status();
  if (!is_node_id(*id)) return r.error("node_id", "must be 1..64 characters of [A-Za-z0-9._-]");
  n.node_id = *id;
  auto pubkey = r.string("pubkey");
  if (!pubkey) return pubkey.status();
  auto key = from_hex_array<32>(*pubkey);
  if (!key) return r.error("pubkey", "must be 64 lowercase hex characters");
  n.pubkey = *key;
  auto address = r.string("address");
  if (!address) return address.status();
  if (!is_host_port(*address)) return r.error("address", "must be host:port");
  n.address = *address;
  auto role_text = r.string("role");
  if (!role_text) return role_text.status();
  auto role = ledger::node_role_from_name(*role_text);
  if (!role) return r.error("role", "must be \"voter\" or \"learner\"");
  n.role = *role;
  return n;
}

Status parse_programs(const ObjectReader& top, Genesis& g) {
  Status s = top.check_array("voucher_programs", kProgramsMax);
  if (!s) return s;
  std::set<std::string> provinces;
  const json& items = top.at("voucher_programs");
  for (size_t i = 0; i < items.size(); ++i) {
    std::string path = element_path("voucher_programs", i);
    auto p = parse_program(items[i], path);
    if (!p) return p.status();
    if (!provinces.insert(p->province).second) {
      return top.error_at(path + ".province", "a second programme for " + p->province);
    }
    g.programs.push_back(std::move(*p));
  }
  return Status::ok();
}

Status parse_participants(const ObjectReader& top, Genesis& g) {
  Status s = top.check_array("participants", kParticipantsMax);
  if (!s) return s;
  const json& items = top.at("participants");
  if (items.empty()) return top.error("participants", "at least one regulator is required");
  std::set<PubKey> keys;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string path = element_path("participants", i);
    auto p = parse_participant(items[i], path);
    if (!p) return p.status();
    if (!keys.insert(p->pubkey).second) {
      return top.error_at(path + ".pubkey", "registered twice");
    }
    g.participants.push_back(std::move(*p));
  }
  return Status::ok();
}

Status parse_nodes(const ObjectReader& top, Genesis& g) {
  Status s = top.check_array("nodes", kNodesMax);
  if (!s) return s;
  const json& items = top.at("nodes");
  std::set<std::string> ids;
  std::set<PubKey> keys;
  bool voter = false;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string path = element_path("nodes", i);
    auto n = parse_node(items[i], path);
    if (!n) return n.status();
    if (!ids.insert(n->node_id).second) return top.error_at(path + ".node_id", "listed twice");
    if (!keys.insert(n->pubkey).second) return top.error_at(path + ".pubkey", "listed twice");
    voter = voter || n->role == ledger::NodeRole::kVoter;
    g.nodes.push_back(std::move(*n));
  }
  if (!voter) return top.error("nodes", "at least one voter is required");
  return Status::ok();
}

// Rules across sections: regulators, approvals and the total money supply.
Status check_consistency(const Genesis& g) {
  std::set<std::string> regulated;  // provinces with a regulator
  uint64_t supply = 0;
  for (size_t i = 0; i < g.participants.size(); ++i) {
    const auto& p = g.participants[i];
    if (p.role == ledger::Role::kRegulator) regulated.insert(p.province);
    auto sum = checked_add(supply, p.balance);
    if (!sum) {
      return Status::error(
          kCode, element_path("participants", i) + ".balance: total supply exceeds 2^53-1");
    }
    supply = *sum;
  }
  if (regulated.empty()) {
    return Status::error(kCode, "participants: at least one regulator is required");
  }
  for (size_t i = 0; i < g.programs.size(); ++i) {
    const auto& p = g.programs[i];
    if (!regulated.count(p.province)) {
      return Status::error(kCode, element_path("voucher_programs", i) +
                                      ".province: no regulator of " + p.province +
                                      " among participants");
    }
    // Budgets enter the ledger as money (stats_get "supply"): the sum must stay exact.
    auto sum = checked_add(supply, p.budget);
    if (!sum) {
      return Status::error(
          kCode, element_path("voucher_programs", i) + ".budget: total supply exceeds 2^53-1");
    }
    supply = *sum;
  }
  // Fewer regulated provinces than required approvals would freeze membership forever.
  if (g.policy.membership_approvals > regulated.size()) {
    return Status::error(
        kCode, "policy.membership_approvals: " + std::to_string(g.policy.membership_approvals) +
                   " exceeds the " + std::to_string(regulated.size()) +
                   " province(s) with a regulator among participants");
  }
  return Status::ok();
}

Result<Genesis> parse_document(const json& doc) {
  ObjectReader top(doc, "", kCode);
  Status s = top.check_members(
      {"chain_id", "genesis_time", "policy", "voucher_programs", "participants", "nodes"});
  if (!s) return s;
  Genesis g;
  auto chain_id = top.string("chain_id");
  if (!chain_id) return chain_id.status();
  if (!is_chain_id(*chain_id)) {
    return top.error("chain_id", "must be 1..64 printable ASCII characters without spaces");
  }
  g.chain_id = *chain_id;
  auto time = top.uint("genesis_time", 1, kTimeMax);
  if (!time) return time.status();
  g.genesis_time = *time;
  auto policy = parse_policy(top);
  if (!policy) return policy.status();
  g.policy = *policy;
  if (s = parse_programs(top, g); !s) return s;
  if (s = parse_participants(top, g); !s) return s;
  if (s = parse_nodes(top, g); !s) return s;
  if (s = check_consistency(g); !s) return s;
  return g;
}

Hash32 hash_document(const json& doc) {
  std::string message(kGenesisHashPrefix);
  message += ledger::jcs(doc);
  return ledger::blake2b256(message);
}

}  // namespace

bool is_chain_id(std::string_view s) {
  if (s.empty() || s.size() > kChainIdBytesMax) return false;
  for (char c : s) {
    // Printable ASCII without space: a chain id is written in commands and file names.
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool is_node_id(std::string_view s) {
  if (s.empty() || s.size() > kNodeIdBytesMax) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_host_port(std::string_view s) {
  if (s.size() > kAddressCodePointsMax) return false;
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view host = s.substr(0, colon);
  std::string_view port = s.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.front() == '0') return false;
  uint32_t n = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  if (n < 1 || n > 65535) return false;
  return is_dns_name(host) || is_ipv6_literal(host);
}

Result<Genesis> parse_genesis(std::string_view json_text) {
  std::string parse_error;
  auto parsed = ledger::parse_strict(json_text, &parse_error, kJsonDepthMax);
  if (!parsed) return Status::error(kCode, "not valid JSON: " + parse_error);
  if (parsed->anomaly) {
    const auto& a = *parsed->anomaly;
    return Status::error(kCode, (a.path.empty() ? "document" : a.path) + ": " + a.message);
  }
  auto g = parse_document(parsed->value);
  if (!g) return g.status();
  g->hash = hash_document(parsed->value);
  return g;
}

Result<Genesis> load_genesis(const std::string& path) {
  auto text = read_file_bounded(path, kGenesisFileBytesMax);
  if (!text) return text.status();
  auto g = parse_genesis(*text);
  if (!g) return Status::error(g.status().code(), path + ": " + g.status().message());
  return g;
}

json genesis_to_json(const Genesis& g) {
  json doc = json::object();
  doc["chain_id"] = g.chain_id;
  doc["genesis_time"] = g.genesis_time;
  doc["policy"] = {{"max_tx_validity_ms", g.policy.max_tx_validity_ms},
                   {"ack_window_ms", g.policy.ack_window_ms},
                   {"max_block_txs", g.policy.max_block_txs},
                   {"max_block_bytes", g.policy.max_block_bytes},
                   {"membership_approvals", g.policy.membership_approvals}};
  json programs = json::array();
  for (const auto& p : g.programs) {
    programs.push_back({{"province", p.province},
                        {"basis", std::string(ledger::basis_name(p.basis))},
                        {"rate_bps", p.rate_bps},
                        {"max_per_voucher", p.max_per_voucher},
                        {"max_per_buyer_per_year", p.max_per_buyer_per_year},
                        {"max_term_ms", p.max_term_ms},
                        {"validity_ms", p.validity_ms},
                        {"budget", p.budget}});
  }
  doc["voucher_programs"] = std::move(programs);
  json participants = json::array();
  for (const auto& p : g.participants) {
    participants.push_back({{"pubkey", to_hex(p.pubkey)},
                            {"role", std::string(ledger::role_name(p.role))},
                            {"province", p.province},
                            {"name", p.name},
                            {"credit_code", p.credit_code},
                            {"group", p.group},
                            {"balance", p.balance}});
  }
  doc["participants"] = std::move(participants);
  json nodes = json::array();
  for (const auto& n : g.nodes) {
    nodes.push_back({{"node_id", n.node_id},
                     {"pubkey", to_hex(n.pubkey)},
                     {"address", n.address},
                     {"role", std::string(ledger::node_role_name(n.role))}});
  }
  doc["nodes"] = std::move(nodes);
  return doc;
}

Hash32 genesis_hash(const Genesis& g) { return hash_document(genesis_to_json(g)); }

}  // namespace suanli::genesis
