// The method table and the operator methods.
#include "rpc/methods.h"

#include <algorithm>

namespace suanli::rpc {
namespace {

using nlohmann::json;
using P = ParamType;

MethodResult ok_or_error(const Status& s) {
  if (s.is_ok()) return json{{"ok", true}};
  int code = errc::kInternalError;
  if (s.code() == "not_found" || s.code() == "unknown_node") code = errc::kNotFound;
  if (s.code() == "no_leader" || s.code() == "not_leader") code = errc::kNoLeader;
  if (s.code() == "invalid_argument" || s.code() == "invalid_params") code = errc::kInvalidParams;
  if (s.code() == "busy") code = errc::kBusy;
  return RpcError{code, s.to_string(), nullptr};
}

MethodResult admin_transfer_leadership(Service& service, const json& params) {
  return ok_or_error(service.transfer_leadership(str_param(params, "node_id")));
}
MethodResult admin_snapshot(Service& service, const json& /*params*/) {
  return ok_or_error(service.take_snapshot());
}
MethodResult admin_set_log_level(Service& service, const json& params) {
  return ok_or_error(service.set_log_level(str_param(params, "level")));
}

MethodResult admin_backup(Service& service, const json& params) {
  auto r = service.backup(str_param(params, "dir"));
  if (r) return *r;
  return ok_or_error(r.status());
}

Method read(std::string_view name, ReadFn fn, std::vector<ParamSpec> params) {
  params.push_back(ParamSpec{"min_height", P::kU64, false});
  params.push_back(ParamSpec{"timeout_ms", P::kTimeoutMs, false});
  return Method{name, MethodKind::kRead, std::move(params), fn, nullptr};
}

Method op(std::string_view name, OperatorFn fn, std::vector<ParamSpec> params) {
  return Method{name, MethodKind::kOperator, std::move(params), nullptr, fn};
}

std::vector<Method> build_table() {
  const ParamSpec cursor{"cursor", P::kCursor, false};
  const ParamSpec limit{"limit", P::kLimit, false};
  std::vector<Method> t;
  t.push_back(Method{"tx_submit",
                     MethodKind::kSubmit,
                     {{"tx", P::kAny, true}, {"wait", P::kWait}, {"timeout_ms", P::kTimeoutMs}},
                     nullptr,
                     nullptr});
  t.push_back(read("tx_get", tx_get, {{"tx_hash", P::kHash, true}}));
  t.push_back(read("tx_list", tx_list, {{"participant", P::kPubKey, true}, cursor, limit}));
  t.push_back(read("block_get", block_get, {{"height", P::kU64, true}}));
  t.push_back(read("block_latest", block_latest, {}));
  t.push_back(read("participant_get", participant_get, {{"pubkey", P::kPubKey, true}}));
  t.push_back(read("participant_list", participant_list,
                   {{"role", P::kRole}, {"province", P::kProvince}, cursor, limit}));
  t.push_back(read("contract_get", contract_get, {{"contract_id", P::kId16, true}}));
  t.push_back(read("contract_list", contract_list,
                   {{"buyer", P::kPubKey},
                    {"provider", P::kPubKey},
                    {"state", P::kContractState},
                    cursor,
                    limit}));
  t.push_back(read("application_get", application_get, {{"contract_id", P::kId16, true}}));
  t.push_back(read("application_list", application_list,
                   {{"program", P::kProvince}, {"state", P::kApplicationState}, cursor, limit}));
  t.push_back(read("voucher_get", voucher_get, {{"voucher_id", P::kHash, true}}));
  t.push_back(read("voucher_list", voucher_list,
                   {{"buyer", P::kPubKey},
                    {"province", P::kProvince},
                    {"state", P::kVoucherState},
                    cursor,
                    limit}));
  t.push_back(read("program_get", program_get, {{"province", P::kProvince, true}}));
  t.push_back(read("settlement_get", settlement_get, {{"period", P::kU64, true}}));
  t.push_back(read("settlement_current", settlement_current, {}));
  t.push_back(read("settlement_list", settlement_list, {cursor, limit}));
  t.push_back(read("proposal_get", proposal_get, {{"proposal", P::kHash, true}}));
  t.push_back(read("proposal_list", proposal_list, {{"state", P::kProposalState}, cursor, limit}));
  t.push_back(read("stats_get", stats_get, {{"province", P::kProvince}}));
  t.push_back(read("node_status", node_status, {}));
  t.push_back(read("chain_genesis", chain_genesis, {}));
  t.push_back(Method{"subscribe", MethodKind::kSession, {{"topic", P::kTopic, true}}});
  t.push_back(
      Method{"unsubscribe", MethodKind::kSession, {{"subscription", P::kSubscription, true}}});
  t.push_back(
      op("admin_transfer_leadership", admin_transfer_leadership, {{"node_id", P::kNodeId, true}}));
  t.push_back(op("admin_snapshot", admin_snapshot, {}));
  t.push_back(op("admin_backup", admin_backup, {{"dir", P::kPath, true}}));
  t.push_back(op("admin_set_log_level", admin_set_log_level, {{"level", P::kLogLevel, true}}));
  return t;
}

const std::vector<Method>& table() {
  static const std::vector<Method> t = build_table();
  return t;
}

}  // namespace

const Method* find_method(std::string_view name) {
  const auto& t = table();
  auto it = std::find_if(t.begin(), t.end(), [&](const Method& m) { return m.name == name; });
  return it == t.end() ? nullptr : &*it;
}

std::vector<std::string_view> method_names() {
  std::vector<std::string_view> names;
  for (const Method& m : table()) names.push_back(m.name);
  return names;
}

RpcError not_found(std::string message) {
  return RpcError{errc::kNotFound, std::move(message), nullptr};
}

}  // namespace suanli::rpc
