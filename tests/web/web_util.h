// Helpers for the web tests: a devnet's RPC ports and JSON-RPC shorthands.
#pragma once

#include <string>

#include "tests/integration/process_util.h"

namespace suanli::testing {

inline uint16_t rpc_port(const ProcessDevnet& d, int i) {
  const std::string& rpc = d.devnet().nodes.at(static_cast<size_t>(i)).rpc;
  return static_cast<uint16_t>(std::stoi(rpc.substr(rpc.rfind(':') + 1)));
}

// The result of a call that must succeed (null otherwise, with a failure).
inline nlohmann::json must(ProcessDevnet& d, int i, const std::string& method,
                           const nlohmann::json& params = nlohmann::json::object()) {
  auto r = d.call(i, method, params);
  EXPECT_TRUE(r && r->contains("result"))
      << method << " on node " << i << ": " << (r ? r->dump() : "no answer");
  return r && r->contains("result") ? (*r)["result"] : nlohmann::json();
}

}  // namespace suanli::testing
