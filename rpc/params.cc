#include "rpc/params.h"

#include <algorithm>

#include "common/money.h"
#include "ledger/state.h"
#include "ledger/types.h"
#include "ledger/validate.h"

namespace suanli::rpc {
namespace {

using nlohmann::json;

constexpr size_t kCursorHexMax = 256;
constexpr size_t kNodeIdMax = 64;
constexpr size_t kSubscriptionIdMax = 64;

bool is_lower_hex(const std::string& s, size_t size) {
  if (s.size() != size) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool one_of(const std::string& s, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

// nullopt when `v` is a valid value of `type`, else what is wrong with it.
std::optional<std::string> check_value(const json& v, ParamType type) {
  switch (type) {
    case ParamType::kAny:
      return std::nullopt;
    case ParamType::kU64:
    case ParamType::kLimit:
    case ParamType::kTimeoutMs: {
      if (!v.is_number_unsigned()) return "must be a non-negative integer";
      uint64_t n = v.get<uint64_t>();
      if (type == ParamType::kU64 && n > kAmountMax) return "must be at most 2^53-1";
      if (type == ParamType::kLimit && (n < 1 || n > kLimitMax)) return "must be 1 to 100";
      if (type == ParamType::kTimeoutMs && n > kTimeoutMsMax) return "must be at most 30000";
      return std::nullopt;
    }
    default:
      break;
  }
  if (!v.is_string()) return "must be a string";
  const std::string& s = v.get_ref<const std::string&>();
  switch (type) {
    case ParamType::kPubKey:
    case ParamType::kHash:
      if (!is_lower_hex(s, 64)) return "must be 64 lowercase hex characters";
      return std::nullopt;
    case ParamType::kId16:
      if (!is_lower_hex(s, 32)) return "must be 32 lowercase hex characters";
      return std::nullopt;
    case ParamType::kProvince:
      if (!ledger::is_province(s)) return "is not a province code of API.md";
      return std::nullopt;
    case ParamType::kRole:
      if (!ledger::role_from_name(s)) return "must be regulator, provider or buyer";
      return std::nullopt;
    case ParamType::kContractState:
      if (!ledger::contract_state_from_name(s)) return "is not a contract state";
      return std::nullopt;
    case ParamType::kApplicationState:
      if (!ledger::application_state_from_name(s)) return "is not an application state";
      return std::nullopt;
    case ParamType::kVoucherState:
      if (!ledger::voucher_state_from_name(s)) return "is not a voucher state";
      return std::nullopt;
    case ParamType::kProposalState:
      if (!one_of(s, {"pending", "done"})) return "must be pending or done";
      return std::nullopt;
    case ParamType::kCursor:
      if (s.empty() || s.size() > kCursorHexMax || s.size() % 2 != 0 ||
          !is_lower_hex(s, s.size())) {
        return "is not a cursor of this node";
      }
      return std::nullopt;
    case ParamType::kNodeId:
      if (s.empty() || s.size() > kNodeIdMax) return "must be 1 to 64 characters";
      return std::nullopt;
    case ParamType::kPath:
      if (s.empty() || s.size() > 4096 || s.front() != '/' || s.find('\0') != std::string::npos) {
        return "must be an absolute path of at most 4096 bytes";
      }
      return std::nullopt;
    case ParamType::kLogLevel:
      if (!one_of(s, {"trace", "debug", "info", "warn", "error", "critical", "off"})) {
        return "must be trace, debug, info, warn, error, critical or off";
      }
      return std::nullopt;
    case ParamType::kWait:
      if (!one_of(s, {"none", "committed"})) return "must be none or committed";
      return std::nullopt;
    case ParamType::kTopic:
      if (!one_of(s, {"blocks", "txs"})) return "must be blocks or txs";
      return std::nullopt;
    case ParamType::kSubscription:
      if (s.empty() || s.size() > kSubscriptionIdMax) return "must be 1 to 64 characters";
      return std::nullopt;
    default:
      return "has an unsupported type";
  }
}

}  // namespace

RpcError invalid_params(std::string field, std::string message) {
  json data = json::object();
  data["field"] = field;
  return RpcError{errc::kInvalidParams, field.empty() ? message : field + " " + message,
                  std::move(data)};
}

std::optional<RpcError> check_params(const json& params, std::span<const ParamSpec> specs) {
  if (params.is_null()) {
    for (const ParamSpec& spec : specs) {
      if (spec.required) return invalid_params(std::string(spec.name), "is required");
    }
    return std::nullopt;
  }
  if (!params.is_object()) return invalid_params("", "params must be an object");
  for (const auto& [key, value] : params.items()) {
    const std::string& name = key;  // clang 14 cannot capture a structured binding
    auto it =
        std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == name; });
    if (it == specs.end()) return invalid_params(key, "is not a parameter of this method");
    if (auto problem = check_value(value, it->type)) return invalid_params(key, *problem);
  }
  for (const ParamSpec& spec : specs) {
    if (spec.required && !params.contains(spec.name)) {
      return invalid_params(std::string(spec.name), "is required");
    }
  }
  return std::nullopt;
}

bool has(const json& params, std::string_view name) {
  return params.is_object() && params.contains(name);
}

uint64_t u64_param(const json& params, std::string_view name, uint64_t fallback) {
  if (!has(params, name)) return fallback;
  const json& v = params.find(name).value();
  SUANLI_ASSERT(v.is_number_unsigned());
  return v.get<uint64_t>();
}

std::string str_param(const json& params, std::string_view name) {
  if (!has(params, name)) return {};
  const json& v = params.find(name).value();
  SUANLI_ASSERT(v.is_string());
  return v.get<std::string>();
}

}  // namespace suanli::rpc
