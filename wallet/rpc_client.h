// A synchronous JSON-RPC 2.0 client over HTTP/1.1 (Boost.Beast), for the
// wallet, the demo and the multi-process tests. One connection per call.
// Thread-safe: calls share no state.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"

namespace suanli::wallet {

struct RpcReply {
  bool ok = false;            // "result" present
  nlohmann::json result;      // when ok
  int error_code = 0;         // when !ok
  std::string error_message;  // when !ok
  nlohmann::json error_data;  // when !ok (null if absent)
};

class RpcClient {
 public:
  // url: "http://host:port" or "host:port".
  explicit RpcClient(const std::string& url);

  // A transport failure (cannot connect, timeout, not JSON) is a Status
  // error ("unreachable"); a JSON-RPC error is an RpcReply with ok = false.
  Result<RpcReply> call(const std::string& method, const nlohmann::json& params,
                        int timeout_ms = 35000) const;
  // Posts a raw body; returns the HTTP status and body.
  Result<std::pair<int, std::string>> post(const std::string& body, int timeout_ms) const;

  const std::string& host() const { return host_; }
  const std::string& port() const { return port_; }
  void set_token(std::string token) { token_ = std::move(token); }

 private:
  std::string host_, port_, token_;
};

}  // namespace suanli::wallet
