#include "rpc/metrics.h"

#include "rpc/methods.h"

namespace suanli::rpc {

Metrics::Metrics() {
  for (std::string_view name : method_names()) requests_[std::string(name)] = 0;
  requests_["unknown"] = 0;
}

void Metrics::count_request(std::string_view method) {
  std::lock_guard lock(mu_);
  auto it = requests_.find(method);
  if (it == requests_.end()) it = requests_.find(std::string_view("unknown"));
  ++it->second;
}

void Metrics::count_error(int code) {
  std::lock_guard lock(mu_);
  ++errors_[code];
}

void Metrics::count_http() { http_requests_.fetch_add(1); }

std::string Metrics::render(const Service& service) const {
  std::string out;
  out += "# HELP suanli_rpc_requests_total JSON-RPC calls by method.\n";
  out += "# TYPE suanli_rpc_requests_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [method, n] : requests_) {
      out += "suanli_rpc_requests_total{method=\"" + method + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP suanli_rpc_errors_total JSON-RPC error answers by code.\n";
    out += "# TYPE suanli_rpc_errors_total counter\n";
    for (const auto& [code, n] : errors_) {
      out += "suanli_rpc_errors_total{code=\"" + std::to_string(code) + "\"} " + std::to_string(n) +
             "\n";
    }
  }
  out += "# HELP suanli_rpc_http_requests_total HTTP requests received.\n";
  out += "# TYPE suanli_rpc_http_requests_total counter\n";
  out += "suanli_rpc_http_requests_total " + std::to_string(http_requests_.load()) + "\n";
  out += "# HELP suanli_rpc_connections Open RPC connections.\n";
  out += "# TYPE suanli_rpc_connections gauge\n";
  out += "suanli_rpc_connections " + std::to_string(connections_open_.load()) + "\n";
  out += "# HELP suanli_rpc_connections_refused_total Connections closed at once over the limit.\n";
  out += "# TYPE suanli_rpc_connections_refused_total counter\n";
  out +=
      "suanli_rpc_connections_refused_total " + std::to_string(connections_refused_.load()) + "\n";
  out += "# HELP suanli_height Applied block height.\n";
  out += "# TYPE suanli_height gauge\n";
  out += "suanli_height " + std::to_string(service.applied_height()) + "\n";
  nlohmann::json status = service.node_status();
  if (status.is_object() && status.contains("mempool") && status["mempool"].is_number()) {
    out += "# HELP suanli_mempool_size Transactions in the mempool.\n";
    out += "# TYPE suanli_mempool_size gauge\n";
    out += "suanli_mempool_size " + status["mempool"].dump() + "\n";
  }
  return out;
}

}  // namespace suanli::rpc
