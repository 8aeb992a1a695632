// Counters behind GET /metrics (Prometheus text format, names prefixed
// suanli_): JSON-RPC calls and their latency by method, errors by code,
// connections, WebSocket subscriptions, and blocks and transactions applied
// (fed by the node's applied-block listener). Node gauges (Raft, mempool,
// peers) are read from the service when rendering. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "rpc/service.h"

namespace suanli::rpc {

// Upper bounds (seconds) of the latency histogram buckets; +Inf is implied.
inline constexpr std::array<double, 14> kLatencyBucketsS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
// Distinct result labels of suanli_txs_applied_total; beyond, "other"
// (codes come from the ledger, so this only guards against a bug).
inline constexpr size_t kTxResultLabelsMax = 64;

class Metrics {
 public:
  Metrics();

  // A JSON-RPC call to `method` (names that are not methods count as "unknown",
  // so that clients cannot grow the label set).
  void count_request(std::string_view method);
  // The time from a call's dispatch to its answer; `method` is a method name
  // or "unknown".
  void observe_latency(std::string_view method, std::chrono::steady_clock::duration elapsed);
  void count_error(int code);
  void count_http();
  void connection_opened() { connections_open_.fetch_add(1); }
  void connection_closed() { connections_open_.fetch_sub(1); }
  void connection_refused() { connections_refused_.fetch_add(1); }
  uint64_t connections_open() const { return connections_open_.load(); }

  // WebSocket connections and subscriptions.
  void ws_opened() { ws_open_.fetch_add(1); }
  void ws_closed() { ws_open_.fetch_sub(1); }
  void ws_refused() { ws_refused_.fetch_add(1); }
  void ws_dropped_slow() { ws_dropped_.fetch_add(1); }
  uint64_t ws_open() const { return ws_open_.load(); }
  void subscription_added(bool txs) { (txs ? subs_txs_ : subs_blocks_).fetch_add(1); }
  void subscription_removed(bool txs) { (txs ? subs_txs_ : subs_blocks_).fetch_sub(1); }
  void notifications_sent(uint64_t n) { notifications_.fetch_add(n); }

  // Applied-block listener (the node's apply thread).
  void on_applied(const AppliedBlock& block);

  std::string render(const Service& service) const;

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBucketsS.size()> buckets{};  // non-cumulative
    uint64_t count = 0;
    double sum_s = 0;
  };
  void render_rpc(std::string& out) const;
  void render_ledger(std::string& out, const Service& service) const;

  mutable std::mutex mu_;
  std::map<std::string, uint64_t, std::less<>> requests_;    // guarded by mu_
  std::map<std::string, Histogram, std::less<>> latency_;    // guarded by mu_
  std::map<int, uint64_t> errors_;                           // guarded by mu_
  std::map<std::string, uint64_t, std::less<>> tx_results_;  // guarded by mu_
  uint64_t blocks_applied_ = 0;                              // guarded by mu_
  uint64_t snapshots_installed_ = 0;                         // guarded by mu_
  std::atomic<uint64_t> http_requests_{0};
  std::atomic<uint64_t> connections_open_{0};
  std::atomic<uint64_t> connections_refused_{0};
  std::atomic<uint64_t> ws_open_{0};
  std::atomic<uint64_t> ws_refused_{0};
  std::atomic<uint64_t> ws_dropped_{0};
  std::atomic<uint64_t> subs_blocks_{0};
  std::atomic<uint64_t> subs_txs_{0};
  std::atomic<uint64_t> notifications_{0};
};

}  // namespace suanli::rpc
