// The JSON-RPC methods of API.md: their parameters and, for reads and
// operator methods, their handlers. tx_submit is asynchronous and lives in
// the dispatcher (rpc/dispatch.cc).
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ledger/overlay.h"
#include "ledger/store.h"
#include "rpc/params.h"
#include "rpc/server.h"
#include "rpc/service.h"

namespace suanli::rpc {

// stats_get answers by province ("" for the whole ledger), valid for one
// applied height: the figures come from a scan of the state, done at most
// once per height and province. Thread-safe.
class StatsCache {
 public:
  std::optional<nlohmann::json> get(uint64_t height, const std::string& province);
  void put(uint64_t height, const std::string& province, nlohmann::json value);

 private:
  std::mutex mu_;
  uint64_t height_ = 0;                                // guarded by mu_
  std::map<std::string, nlohmann::json> by_province_;  // guarded by mu_
};

// One read: a view of the service's applied state. Cheap to build per call.
struct ReadCtx {
  ReadCtx(Service& s, const Limits& l, StatsCache* cache = nullptr)
      : service(s), limits(l), stats_cache(cache), kv(s.state()), st(kv) {}
  Service& service;
  const Limits& limits;
  StatsCache* stats_cache;  // may be null
  ledger::Overlay kv;       // never written: StateStore reads through an Overlay
  ledger::StateStore st;
};

using MethodResult = std::variant<nlohmann::json, RpcError>;
using ReadFn = MethodResult (*)(ReadCtx& ctx, const nlohmann::json& params);
using OperatorFn = MethodResult (*)(Service& service, const nlohmann::json& params);

// kSession: served by the connection itself (subscribe and unsubscribe on
// the WebSocket); over HTTP POST they are method not found.
enum class MethodKind { kRead, kSubmit, kOperator, kSession };

struct Method {
  std::string_view name;
  MethodKind kind = MethodKind::kRead;
  // For reads this includes min_height and timeout_ms.
  std::vector<ParamSpec> params;
  ReadFn read = nullptr;
  OperatorFn op = nullptr;
};

// The method called `name`, or nullptr.
const Method* find_method(std::string_view name);
// Every method name (for metrics labels).
std::vector<std::string_view> method_names();

RpcError not_found(std::string message);

// Read handlers (rpc/methods_read.cc, rpc/methods_list.cc).
MethodResult tx_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult tx_list(ReadCtx& ctx, const nlohmann::json& params);
MethodResult block_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult block_latest(ReadCtx& ctx, const nlohmann::json& params);
MethodResult participant_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult participant_list(ReadCtx& ctx, const nlohmann::json& params);
MethodResult contract_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult contract_list(ReadCtx& ctx, const nlohmann::json& params);
MethodResult application_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult application_list(ReadCtx& ctx, const nlohmann::json& params);
MethodResult voucher_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult voucher_list(ReadCtx& ctx, const nlohmann::json& params);
MethodResult program_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult settlement_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult settlement_current(ReadCtx& ctx, const nlohmann::json& params);
MethodResult settlement_list(ReadCtx& ctx, const nlohmann::json& params);
MethodResult proposal_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult proposal_list(ReadCtx& ctx, const nlohmann::json& params);
MethodResult stats_get(ReadCtx& ctx, const nlohmann::json& params);
MethodResult node_status(ReadCtx& ctx, const nlohmann::json& params);
MethodResult chain_genesis(ReadCtx& ctx, const nlohmann::json& params);

// Committed transaction answer shared by tx_get and tx_submit (wait committed):
// {height, index, result} of its txindex record, or nullopt.
std::optional<nlohmann::json> committed_fields(ReadCtx& ctx, const Hash32& tx_hash);

}  // namespace suanli::rpc
