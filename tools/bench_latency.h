// suanli-bench's latency phase: single tx_submit requests with wait
// "committed", sent open loop at a fixed rate over keep-alive connections to
// all three nodes (tools/bench_http.h), and their latency from the moment each
// was due.
#pragma once

#include <fstream>

#include "tools/bench_cluster.h"
#include "tools/bench_common.h"
#include "tools/bench_http.h"

namespace suanli::bench {

struct LatencyResult {
  double target_rate = 0, achieved_rate = 0, seconds = 0;
  uint64_t requests = 0, committed = 0, errors = 0, transport_errors = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
  double p50_send_ms = 0, p99_send_ms = 0;
  size_t connections = 0, retries = 0;
  double longest_gap_ms = 0;  // longest time with no answer at all (a stall)
  double node_cpu_seconds = 0;  // the three nodes together, during the phase
  double bench_cpu_seconds = 0;
  double steal_fraction = -1;  // of the machine's CPU time, taken by the host
  RaftLogSyncs syncs;          // the nodes' synced Raft log writes in the phase
  // (answer time, latency from due) of every committed request.
  std::vector<std::pair<double, double>> samples;
  uint64_t start_wall_ms = 0;
  std::map<int, uint64_t> errors_by_code;
};

// The latency phase's Raft log syncs, on the console (when the nodes gave them).
inline void say_syncs(const RaftLogSyncs& s) {
  if (!s.ok) return;
  say("Raft log syncs in the latency phase: %llu (3 nodes), %llu over 16 ms, %llu over 64 ms",
      static_cast<unsigned long long>(s.count), static_cast<unsigned long long>(s.over_16ms),
      static_cast<unsigned long long>(s.over_64ms));
}

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

inline LatencyResult run_latency(Cluster& cluster, const std::vector<ledger::Tx>& txs, double rate) {
  LatencyResult r;
  r.target_rate = rate;
  std::vector<std::string> bodies;
  bodies.reserve(txs.size());
  for (size_t i = 0; i < txs.size(); ++i) {
    bodies.push_back(submit_request(i, ledger::tx_to_json(txs[i], true).dump(), "committed"));
  }
  std::vector<uint16_t> ports;
  for (const auto& n : cluster.nodes()) ports.push_back(n.rpc_port);
  // Enough connections for the rate at up to 500 ms per commit, within the
  // server's 512 connections per node.
  size_t conns_max = std::clamp<size_t>(static_cast<size_t>(rate * 0.5), 30, 3 * 400);
  bench::OpenLoopClient client(ports, bodies, rate, conns_max);
  const double cpu0 = nodes_cpu_seconds(cluster);
  double bench_cpu0 = self_cpu_seconds();
  const CpuTicks ticks0 = machine_cpu_ticks();
  const RaftLogSyncs syncs0 = nodes_raft_log_syncs(cluster);
  auto start = Clock::now();
  r.start_wall_ms = wall_ms();
  auto outcomes = client.run(std::min<size_t>(conns_max / 3, 64));
  r.seconds = secs_since(start);
  r.syncs = nodes_raft_log_syncs(cluster) - syncs0;
  r.node_cpu_seconds = nodes_cpu_seconds(cluster) - cpu0;
  r.bench_cpu_seconds = self_cpu_seconds() - bench_cpu0;
  r.steal_fraction = steal_since(ticks0);
  r.connections = client.connections_opened();
  r.retries = client.retries();
  std::vector<double> send_ms, done_at;
  for (const auto& o : outcomes) {
    ++r.requests;
    if (o.latency_from_due_ms < 0) {
      ++r.transport_errors;
      continue;
    }
    done_at.push_back(o.done_at_ms);
    auto j = json::parse(o.body, nullptr, false);
    if (j.is_object() && j.contains("result") && j["result"].value("status", "") == "committed") {
      ++r.committed;
      send_ms.push_back(o.latency_from_send_ms);
      r.samples.emplace_back(o.done_at_ms, o.latency_from_due_ms);
    } else {
      ++r.errors;
      int code = j.is_object() && j.contains("error") ? j["error"].value("code", 0) : 0;
      ++r.errors_by_code[code];
    }
  }
  r.achieved_rate = static_cast<double>(r.committed) / r.seconds;
  std::sort(done_at.begin(), done_at.end());
  for (size_t k = 1; k < done_at.size(); ++k) {
    r.longest_gap_ms = std::max(r.longest_gap_ms, done_at[k] - done_at[k - 1]);
  }
  std::vector<double> due_ms;
  due_ms.reserve(r.samples.size());
  for (const auto& sample : r.samples) due_ms.push_back(sample.second);
  r.p50_ms = percentile(due_ms, 50);
  r.p90_ms = percentile(due_ms, 90);
  r.p99_ms = percentile(due_ms, 99);
  r.max_ms = percentile(due_ms, 100);
  double sum = 0;
  for (double v : due_ms) sum += v;
  r.mean_ms = due_ms.empty() ? 0 : sum / static_cast<double>(due_ms.size());
  r.p50_send_ms = percentile(send_ms, 50);
  r.p99_send_ms = percentile(send_ms, 99);
  return r;
}

// Every sample in answer order, to line the slow answers up with the nodes' logs.
inline void write_latency_trace(LatencyResult lr, const std::string& path) {
  std::sort(lr.samples.begin(), lr.samples.end());
  std::ofstream trace(path);
  trace << "# answered_at_ms\tlatency_ms (answered_at_ms from the phase's start at unix ms "
        << lr.start_wall_ms << ")\n";
  for (const auto& [at, ms] : lr.samples) trace << at << "\t" << ms << "\n";
}

}  // namespace suanli::bench
