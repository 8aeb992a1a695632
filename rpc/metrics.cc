#include "rpc/metrics.h"

#include <cstdio>
#include <span>

#include "rpc/methods.h"

namespace suanli::rpc {
namespace {

using nlohmann::json;

// A Prometheus label value: backslash, quote and newline escaped.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, uint64_t value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(std::to_string(value)).append("\n");
}

void one(std::string& out, std::string_view name, std::string_view type, std::string_view help,
         uint64_t value) {
  header(out, name, type, help);
  sample(out, name, "", value);
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", s);
  return buf;
}

// A histogram's samples (its header apart): cumulative `_bucket`s for
// `bounds` and +Inf, then `_sum` (seconds) and `_count`; `labels`, when not
// empty, come before `le`.
void histogram(std::string& out, std::string_view name, const std::string& labels,
               std::span<const double> bounds, std::span<const uint64_t> buckets, uint64_t count,
               double sum_s) {
  const std::string bucket = std::string(name) + "_bucket";
  const std::string before_le = labels.empty() ? "" : labels + ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += buckets[i];
    char le[32];
    std::snprintf(le, sizeof le, "%g", bounds[i]);
    sample(out, bucket, before_le + "le=\"" + le + "\"", cumulative);
  }
  sample(out, bucket, before_le + "le=\"+Inf\"", count);
  out.append(name).append("_sum");
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(seconds(sum_s)).append("\n");
  sample(out, std::string(name) + "_count", labels, count);
}

uint64_t u64_of(const json& status, const char* key) {
  auto it = status.find(key);
  if (it == status.end() || !it->is_number_integer()) return 0;
  return it->is_number_unsigned() || it->get<int64_t>() >= 0 ? it->get<uint64_t>() : 0;
}

}  // namespace

Metrics::Metrics() {
  for (std::string_view name : method_names()) {
    requests_[std::string(name)] = 0;
    latency_[std::string(name)] = Histogram{};
  }
  requests_["unknown"] = 0;
  latency_["unknown"] = Histogram{};
}

void Metrics::count_request(std::string_view method) {
  std::lock_guard lock(mu_);
  auto it = requests_.find(method);
  if (it == requests_.end()) it = requests_.find(std::string_view("unknown"));
  ++it->second;
}

void Metrics::observe_latency(std::string_view method,
                              std::chrono::steady_clock::duration elapsed) {
  double s = std::chrono::duration<double>(elapsed).count();
  std::lock_guard lock(mu_);
  auto it = latency_.find(method);
  if (it == latency_.end()) it = latency_.find(std::string_view("unknown"));
  Histogram& h = it->second;
  for (size_t i = 0; i < kLatencyBucketsS.size(); ++i) {
    if (s <= kLatencyBucketsS[i]) {
      ++h.buckets[i];
      break;
    }
  }
  ++h.count;
  h.sum_s += s;
}

void Metrics::count_error(int code) {
  std::lock_guard lock(mu_);
  ++errors_[code];
}

void Metrics::count_http() { http_requests_.fetch_add(1); }

void Metrics::on_applied(const AppliedBlock& block) {
  std::lock_guard lock(mu_);
  if (block.snapshot) {
    ++snapshots_installed_;
    return;
  }
  ++blocks_applied_;
  for (const std::string& code : block.results) {
    auto it = tx_results_.find(code);
    if (it == tx_results_.end()) {
      it = tx_results_.size() < kTxResultLabelsMax ? tx_results_.emplace(code, 0).first
                                                   : tx_results_.emplace("other", 0).first;
    }
    ++it->second;
  }
}

void Metrics::render_rpc(std::string& out) const {
  std::lock_guard lock(mu_);
  header(out, "suanli_rpc_requests_total", "counter", "JSON-RPC calls by method.");
  for (const auto& [method, n] : requests_) {
    sample(out, "suanli_rpc_requests_total", "method=\"" + method + "\"", n);
  }
  const std::string_view hist = "suanli_rpc_request_duration_seconds";
  header(out, hist, "histogram", "Time from a JSON-RPC call's dispatch to its answer, by method.");
  for (const auto& [method, h] : latency_) {
    histogram(out, hist, "method=\"" + method + "\"", kLatencyBucketsS, h.buckets, h.count,
              h.sum_s);
  }
  header(out, "suanli_rpc_errors_total", "counter", "JSON-RPC error answers by code.");
  for (const auto& [code, n] : errors_) {
    sample(out, "suanli_rpc_errors_total", "code=\"" + std::to_string(code) + "\"", n);
  }
  header(out, "suanli_blocks_applied_total", "counter", "Blocks applied by this node.");
  sample(out, "suanli_blocks_applied_total", "", blocks_applied_);
  header(out, "suanli_txs_applied_total", "counter",
         "Transactions in applied blocks by result (ok, a result code, or why skipped).");
  for (const auto& [code, n] : tx_results_) {
    sample(out, "suanli_txs_applied_total", "result=\"" + label(code) + "\"", n);
  }
  one(out, "suanli_snapshots_installed_total", "counter",
      "Snapshots installed from the leader instead of applying blocks.", snapshots_installed_);
}

void Metrics::render_ledger(std::string& out, const Service& service) const {
  one(out, "suanli_height", "gauge", "Applied block height.", service.applied_height());
  one(out, "suanli_signature_verifications_total", "counter",
      "Ed25519 signatures verified by this node (cache misses).",
      service.signature_verifications());
  const SyncDurations syncs = service.raft_log_syncs();
  const std::string_view sync_hist = "suanli_raft_log_sync_duration_seconds";
  header(out, sync_hist, "histogram",
         "Synced writes to the Raft log (write and fdatasync); a commit waits for one on a "
         "quorum of nodes.");
  histogram(out, sync_hist, "", kSyncBucketsS, syncs.buckets, syncs.count, syncs.sum_s);
  json status = service.node_status();
  if (!status.is_object()) return;
  one(out, "suanli_mempool_size", "gauge", "Transactions in the mempool.",
      u64_of(status, "mempool"));
  one(out, "suanli_raft_term", "gauge", "Current Raft term.", u64_of(status, "term"));
  one(out, "suanli_raft_commit_index", "gauge", "Raft commit index.",
      u64_of(status, "commit_index"));
  one(out, "suanli_raft_applied_index", "gauge", "Raft index applied to the state.",
      u64_of(status, "applied_index"));
  one(out, "suanli_raft_log_bytes", "gauge",
      "Bytes in the Raft log's segment files (freed as the log is compacted behind snapshots).",
      u64_of(status, "log_bytes"));
  one(out, "suanli_raft_log_segments", "gauge", "Raft log segment files.",
      u64_of(status, "log_segments"));
  header(out, "suanli_raft_role", "gauge", "1 for this node's Raft role, 0 for the others.");
  std::string role = status.value("role", "");
  for (const char* r : {"leader", "follower", "candidate", "learner"}) {
    sample(out, "suanli_raft_role", std::string("role=\"") + r + "\"", role == r ? 1 : 0);
  }
  uint64_t peers = 0, connected = 0;
  std::string per_peer;
  if (auto it = status.find("peers"); it != status.end() && it->is_array()) {
    for (const json& p : *it) {
      bool up = p.is_object() && p.value("connected", false);
      ++peers;
      connected += up ? 1 : 0;
      std::string id = p.is_object() ? p.value("node_id", "") : "";
      sample(per_peer, "suanli_peer_connected", "peer=\"" + label(id) + "\"", up ? 1 : 0);
    }
  }
  one(out, "suanli_peers", "gauge", "Peers in the membership (other than this node).", peers);
  one(out, "suanli_peers_connected", "gauge", "Peers with a live authenticated link.", connected);
  header(out, "suanli_peer_connected", "gauge", "1 when the link to the peer is up.");
  out += per_peer;
  one(out, "suanli_diverged", "gauge", "1 when this node stopped applying on a state divergence.",
      status.value("diverged", false) ? 1 : 0);
  one(out, "suanli_storage_write_failing", "gauge",
      "1 while this node's disk refuses writes (full?): it accepts no transactions.",
      status.value("storage_ok", true) ? 0 : 1);
  one(out, "suanli_storage_write_errors_total", "counter",
      "Storage writes refused (each retry counts).", u64_of(status, "storage_write_errors"));
}

std::string Metrics::render(const Service& service) const {
  std::string out;
  render_rpc(out);
  one(out, "suanli_rpc_http_requests_total", "counter", "HTTP requests received.",
      http_requests_.load());
  one(out, "suanli_rpc_connections", "gauge", "Open HTTP connections.", connections_open_.load());
  one(out, "suanli_rpc_connections_refused_total", "counter",
      "Connections closed at once over the limit.", connections_refused_.load());
  one(out, "suanli_ws_connections", "gauge", "Open WebSocket connections.", ws_open_.load());
  one(out, "suanli_ws_connections_refused_total", "counter",
      "WebSocket upgrades refused over the limit.", ws_refused_.load());
  header(out, "suanli_ws_subscriptions", "gauge", "Active WebSocket subscriptions by topic.");
  sample(out, "suanli_ws_subscriptions", "topic=\"blocks\"", subs_blocks_.load());
  sample(out, "suanli_ws_subscriptions", "topic=\"txs\"", subs_txs_.load());
  one(out, "suanli_ws_notifications_total", "counter", "Subscription notifications queued.",
      notifications_.load());
  one(out, "suanli_ws_dropped_slow_total", "counter",
      "WebSocket connections closed because they did not keep up with notifications.",
      ws_dropped_.load());
  render_ledger(out, service);
  return out;
}

}  // namespace suanli::rpc
