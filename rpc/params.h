// Parameter checking for JSON-RPC methods (API.md's -32602 invalid params).
//
// Each method declares its parameters; the dispatcher checks a call's params
// against the declaration before anything else runs (and before a min_height
// wait), so a handler reads values that are known to be present and valid.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "rpc/service.h"

namespace suanli::rpc {

enum class ParamType {
  kPubKey,            // 64 lowercase hex
  kHash,              // 64 lowercase hex (tx hash, voucher id, proposal id)
  kId16,              // 32 lowercase hex (contract id)
  kU64,               // integer 0..2^53-1
  kProvince,          // one of API.md's province codes
  kRole,              // regulator / provider / buyer
  kContractState,     // proposed / active / ...
  kApplicationState,  // pending / issued / rejected
  kVoucherState,      // active / spent / expired / revoked
  kProposalState,     // pending / done
  kLimit,             // 1..100
  kCursor,            // an opaque cursor from an earlier answer
  kNodeId,            // 1..64 characters
  kLogLevel,          // trace / debug / info / warn / error / critical / off
  kPath,              // an absolute path of 1..4096 bytes
  kWait,              // none / committed
  kTimeoutMs,         // 0..30000
  kTopic,             // blocks / txs (WebSocket subscribe)
  kSubscription,      // a subscription id from subscribe (1..64 characters)
  kAny,               // checked by the method itself (tx_submit's tx)
};

struct ParamSpec {
  std::string_view name;
  ParamType type;
  bool required = false;
};

inline constexpr uint32_t kTimeoutMsMax = 30000;
inline constexpr uint64_t kLimitMax = 100;
inline constexpr uint64_t kLimitDefault = 50;

// Checks `params` (an object, or null for none) against `specs`: unknown
// members, missing required ones, types and ranges. The error names the
// member in data.field.
std::optional<RpcError> check_params(const nlohmann::json& params,
                                     std::span<const ParamSpec> specs);

// Typed reads of checked params.
bool has(const nlohmann::json& params, std::string_view name);
uint64_t u64_param(const nlohmann::json& params, std::string_view name, uint64_t fallback);
std::string str_param(const nlohmann::json& params, std::string_view name);
template <size_t N>
std::array<uint8_t, N> hex_param(const nlohmann::json& params, std::string_view name) {
  auto v = from_hex_array<N>(str_param(params, name));
  SUANLI_ASSERT(v.has_value());
  return *v;
}

RpcError invalid_params(std::string field, std::string message);

}  // namespace suanli::rpc
