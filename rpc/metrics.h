// Counters behind GET /metrics (Prometheus text format, names prefixed
// suanli_). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "rpc/service.h"

namespace suanli::rpc {

class Metrics {
 public:
  Metrics();

  // A JSON-RPC call to `method` (names that are not methods count as "unknown",
  // so that clients cannot grow the label set).
  void count_request(std::string_view method);
  void count_error(int code);
  void count_http();
  void connection_opened() { connections_open_.fetch_add(1); }
  void connection_closed() { connections_open_.fetch_sub(1); }
  void connection_refused() { connections_refused_.fetch_add(1); }
  uint64_t connections_open() const { return connections_open_.load(); }

  std::string render(const Service& service) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t, std::less<>> requests_;  // guarded by mu_
  std::map<int, uint64_t> errors_;                         // guarded by mu_
  std::atomic<uint64_t> http_requests_{0};
  std::atomic<uint64_t> connections_open_{0};
  std::atomic<uint64_t> connections_refused_{0};
};

}  // namespace suanli::rpc
