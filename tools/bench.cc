// suanli-bench: end-to-end benchmark of a 3-node cluster of real suanlid
// processes on this machine (DESIGN.md "Performance targets", issue 5).
//
// In one run:
//   1. the single-core Ed25519 verify rate (libsodium, one thread, over the
//      signing messages of pre-signed transfers) and the bound
//      cores x rate / 3 (each of the 3 nodes verifies every transaction);
//   2. peak committed transfers per second of the cluster, fed pre-signed
//      transfers from >= 1000 funded buyers by concurrent keep-alive clients
//      sending JSON-RPC batches of tx_submit (wait: none) spread over the 3
//      nodes, from the first submit to the last commit (blocks counted through
//      block_get on the leader), and the fraction of the bound;
//   3. p50/p99 commit latency of single tx_submit (wait: committed) requests
//      at half the measured peak, open loop (latency from the time a request
//      was due);
//   4. peak RSS (VmHWM) and CPU time of each node.
// Writes results.json and RESULTS.md to --out.
//
// Usage: suanli-bench --suanlid PATH [--quick] [--out DIR] [--buyers N]
//        [--txs N] [--clients N] [--batch N] [--latency-seconds S]
//        [--verify-seconds S] [--work-dir DIR] [--keep] [--commit REV]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>  // before Asio on g++ 12
#include <vector>

#include "genesis/devnet.h"
#include "genesis/genesis.h"
#include "genesis/node_config.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "tools/bench_http.h"

extern char** environ;

using namespace suanli;
#include "tools/bench_cluster.h"
#include "tools/bench_common.h"
#include "tools/bench_etcd.h"
#include "tools/bench_latency.h"
#include "tools/bench_report.h"
#include "tools/bench_state.h"

using namespace suanli::bench;
using bench::Clock;
using bench::KeepAliveClient;

namespace {

// ---------------------------------------------------------------- 2. throughput

struct SubmitStats {
  std::atomic<uint64_t> accepted{0}, duplicate{0}, busy{0}, no_leader{0}, failed{0}, http_errors{0},
      transport_errors{0}, requests{0};
  std::mutex mu;
  std::map<int, uint64_t> failed_by_code;
  std::string first_failure;
};

// One client thread: takes batches from `next`, sends each until every
// transaction in it is accepted (busy and no_leader are retried after the
// node's retry_after_ms).
void client_loop(uint16_t port, const std::vector<std::string>& tx_json, size_t batch,
                 std::atomic<size_t>& next, SubmitStats& st) {
  KeepAliveClient client("127.0.0.1", port);
  for (;;) {
    size_t begin = next.fetch_add(batch);
    if (begin >= tx_json.size()) return;
    size_t end = std::min(tx_json.size(), begin + batch);
    std::vector<size_t> pending;
    for (size_t i = begin; i < end; ++i) pending.push_back(i);
    while (!pending.empty()) {
      std::string body = "[";
      for (size_t k = 0; k < pending.size(); ++k) {
        if (k) body += ',';
        body += submit_request(pending[k], tx_json[pending[k]], "none");
      }
      body += ']';
      ++st.requests;
      auto res = client.post(body, 30000);
      if (!res) {
        ++st.transport_errors;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      auto reply = json::parse(res->body, nullptr, false);
      if (res->status != 200 || !reply.is_array()) {
        ++st.http_errors;  // 429/413 or a whole-batch error: retry it all
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      std::vector<size_t> retry;
      int retry_after_ms = 0;
      for (const json& r : reply) {
        size_t id = r.value("id", size_t{0});
        if (r.contains("result")) {
          ++st.accepted;
          continue;
        }
        int code = r["error"].value("code", 0);
        if (code == -32005) {  // duplicate: accepted by an earlier attempt
          ++st.accepted;
          ++st.duplicate;
        } else if (code == -32006 || code == -32010) {
          ++(code == -32006 ? st.busy : st.no_leader);
          retry.push_back(id);
          int after = 100;
          if (r["error"].contains("data") && r["error"]["data"].is_object()) {
            after = r["error"]["data"].value("retry_after_ms", 100);
          }
          retry_after_ms = std::max(retry_after_ms, after);
        } else {
          ++st.failed;
          std::lock_guard lock(st.mu);
          ++st.failed_by_code[code];
          if (st.first_failure.empty()) st.first_failure = r.dump();
        }
      }
      pending = std::move(retry);
      if (!pending.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(retry_after_ms));
    }
  }
}

std::vector<std::string> to_json_texts(const std::vector<ledger::Tx>& txs) {
  std::vector<std::string> out;
  out.reserve(txs.size());
  for (const auto& tx : txs) out.push_back(ledger::tx_to_json(tx, true).dump());
  return out;
}

uint64_t current_height(uint16_t port) {
  KeepAliveClient c("127.0.0.1", port);
  auto r = c.call("node_status", json::object(), 5000);
  if (!r || !r->contains("result")) die("node_status failed");
  return (*r)["result"].value("height", uint64_t{0});
}

ThroughputResult run_throughput(Cluster& cluster, int leader, const std::vector<ledger::Tx>& txs,
                                const Options& o) {
  ThroughputResult r;
  auto tx_json = to_json_texts(txs);
  r.submitted = txs.size();
  uint16_t leader_port = cluster.nodes()[leader].rpc_port;
  uint64_t h0 = current_height(leader_port);
  CommitMonitor monitor(leader_port, h0);
  std::vector<double> cpu0;
  for (const auto& n : cluster.nodes()) cpu0.push_back(proc_cpu_seconds(n.pid));
  double bench_cpu0 = self_cpu_seconds();
  const int64_t verifications0 = nodes_verifications(cluster);
  const CpuTicks ticks0 = machine_cpu_ticks();

  SubmitStats st;
  std::atomic<size_t> next{0};
  auto start = Clock::now();
  std::vector<std::thread> clients;
  for (size_t c = 0; c < o.clients; ++c) {
    uint16_t port = cluster.nodes()[c % kNodes].rpc_port;
    clients.emplace_back([&, port] { client_loop(port, tx_json, o.batch, next, st); });
  }
  for (auto& t : clients) t.join();
  r.submit_seconds = secs_since(start);
  r.accepted = st.accepted;
  // Wait for the last accepted transaction to commit (a minute at most after the last submit).
  auto wait_start = Clock::now();
  while (monitor.committed() < r.accepted && secs_since(wait_start) < 60) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto reached = monitor.time_reached(r.accepted);
  r.complete = reached.has_value();
  auto end = reached ? *reached : Clock::now();
  monitor.stop();
  for (size_t i = 0; i < cluster.nodes().size(); ++i) {
    r.node_cpu_seconds.push_back(proc_cpu_seconds(cluster.nodes()[i].pid) - cpu0[i]);
  }
  r.bench_cpu_seconds = self_cpu_seconds() - bench_cpu0;
  r.seconds = std::chrono::duration<double>(end - start).count();
  r.steal_fraction = steal_since(ticks0);
  // Followers apply behind the leader: how long until every node has applied
  // the leader's last block (two minutes at most).
  uint64_t target = monitor.last_height();
  auto catch_start = Clock::now();
  r.follower_lag_seconds = -1;
  for (;;) {
    bool all = true;
    for (const auto& n : cluster.nodes()) {
      KeepAliveClient c("127.0.0.1", n.rpc_port);
      auto ns = c.call("node_status", json::object(), 5000);
      if (!ns || !ns->contains("result") || (*ns)["result"].value("height", uint64_t{0}) < target) {
        all = false;
        break;
      }
    }
    if (all) {
      r.follower_lag_seconds = std::chrono::duration<double>(Clock::now() - end).count();
      break;
    }
    if (secs_since(catch_start) > 120) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Every node has verified what it will: how many signature checks per transaction.
  if (int64_t v = nodes_verifications(cluster); v >= 0 && verifications0 >= 0) {
    r.verifications = v - verifications0;
  }

  r.committed = std::min<uint64_t>(monitor.committed(), r.accepted);
  r.tps = static_cast<double>(r.committed) / r.seconds;
  if (r.follower_lag_seconds >= 0) {
    r.all_applied_tps = static_cast<double>(r.committed) / (r.seconds + r.follower_lag_seconds);
  }
  r.submit_rate = static_cast<double>(r.accepted) / r.submit_seconds;
  r.rejected = monitor.rejected();
  r.blocks = monitor.blocks();
  r.max_block_txs = monitor.max_block_txs();
  r.duplicate = st.duplicate;
  r.busy = st.busy;
  r.no_leader = st.no_leader;
  r.failed = st.failed;
  r.requests = st.requests;
  r.http_errors = st.http_errors;
  r.transport_errors = st.transport_errors;
  r.failed_by_code = st.failed_by_code;
  r.first_failure = st.first_failure;
  // The committed transactions are ours and applied successfully: check a sample.
  KeepAliveClient check("127.0.0.1", leader_port);
  for (const auto& h : monitor.sample_hashes(32)) {
    ++r.sample_checked;
    auto g = check.call("tx_get", {{"tx_hash", h}});
    if (g && g->contains("result") && (*g)["result"].value("status", "") == "committed" &&
        (*g)["result"]["result"].value("ok", false) &&
        (*g)["result"]["tx"].value("type", "") == "transfer") {
      ++r.sample_ok;
    }
  }
  return r;
}

// One phase alone, for profiling (--only): its figures on stderr, no report.
int run_only(const Options& o, const Accounts& accounts, const std::string& work) {
  Cluster cluster(o, accounts, work + "/" + o.only);
  if (o.only == "nosig") cluster.set_extra_args({"--bench-no-signatures"});
  cluster.start();
  int leader = cluster.wait_leader(30);
  if (leader < 0) die("no leader within 30 s; logs in " + work);
  Options wo = o;
  wo.clients = 3;
  run_throughput(cluster, leader, sign_transfers(accounts, 3000, 1, wall_ms() + 1800000), wo);
  leader = cluster.wait_leader(10);
  if (leader < 0) die("no leader after warm-up");
  auto tr = run_throughput(cluster, leader, sign_transfers(accounts, o.txs, 2, wall_ms() + 3000000), o);
  say("throughput: %llu committed in %.2f s = %.0f tx/s (submit %.2f s); followers %.1f s behind",
      static_cast<unsigned long long>(tr.committed), tr.seconds, tr.tps, tr.submit_seconds,
      tr.follower_lag_seconds);
  double node_cpu = 0;
  for (double c : tr.node_cpu_seconds) node_cpu += c;
  say("node CPU per committed transaction: %.1f us (all 3 nodes; load generator %.1f s)",
      tr.committed ? node_cpu * 1e6 / static_cast<double>(tr.committed) : 0.0,
      tr.bench_cpu_seconds);
  if (tr.steal_fraction >= 0)
    say("CPU time taken by the host (steal): %.1f %%", 100 * tr.steal_fraction);
  if (tr.verifications >= 0 && tr.committed > 0) {
    say("signature verifications per committed transaction: %.2f (all 3 nodes)",
        static_cast<double>(tr.verifications) / static_cast<double>(tr.committed));
  }
  if (o.only == "latency") {
    double half = o.latency_rate > 0 ? o.latency_rate : std::max(1.0, tr.tps / 2);
    auto lat_txs = sign_transfers(accounts, static_cast<size_t>(half * o.latency_seconds), 3,
                                  wall_ms() + 3000000);
    say("nodes idle %.1f s after the throughput run", wait_nodes_idle(cluster, 60));
    auto lr = run_latency(cluster, lat_txs, half);
    std::string codes;
    for (auto [code, count] : lr.errors_by_code) {
      codes += (codes.empty() ? " (code " : ", code ") + std::to_string(code) + ": " +
               std::to_string(count);
    }
    if (lr.transport_errors > 0) {
      codes += (codes.empty() ? " (" : ", ") + std::to_string(lr.transport_errors) + " transport";
    }
    if (!codes.empty()) codes += ")";
    say("latency at %.0f tx/s (achieved %.0f): p50 %.1f p90 %.1f p99 %.1f max %.1f ms, "
        "%llu errors%s, longest gap %.0f ms",
        half, lr.achieved_rate, lr.p50_ms, lr.p90_ms, lr.p99_ms, lr.max_ms,
        static_cast<unsigned long long>(lr.errors + lr.transport_errors), codes.c_str(),
        lr.longest_gap_ms);
    say_syncs(lr.syncs);
    say("node CPU per committed transaction in the latency phase: %.1f us (all 3 nodes, %.0f %% "
        "of the machine; load generator %.1f s)",
        lr.committed ? lr.node_cpu_seconds * 1e6 / static_cast<double>(lr.committed) : 0.0,
        100.0 * lr.node_cpu_seconds / (lr.seconds * std::max(1u, std::thread::hardware_concurrency())),
        lr.bench_cpu_seconds);
    if (o.keep || !o.work_dir.empty()) {
      write_latency_trace(lr, work + "/latency.tsv");
      say("latency samples in %s/latency.tsv", work.c_str());
    }
  }
  for (const auto& n : cluster.nodes()) {
    say("%s: peak RSS %.1f MiB", n.node_id.c_str(),
        static_cast<double>(proc_status_kb(n.pid, "VmHWM")) / 1024.0);
  }
  cluster.stop();
  if (!o.keep && o.work_dir.empty()) fs::remove_all(work);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  ledger::crypto_init();
  ::signal(SIGPIPE, SIG_IGN);
  std::string work = o.work_dir;
  if (work.empty()) {
    char tmpl[] = "/tmp/suanli-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) die("mkdtemp failed");
    work = tmpl;
  }
  say("work dir %s", work.c_str());

  std::string load_before = loadavg();
  std::vector<std::string> jobs = heavy_jobs();
  auto note_jobs = [&jobs] {
    for (const auto& j : heavy_jobs()) {
      if (std::find(jobs.begin(), jobs.end(), j) == jobs.end()) jobs.push_back(j);
    }
  };
  if (!jobs.empty())
    say("warning: %zu heavy jobs (compilers, tests) are running: figures will be distorted",
        jobs.size());

  Accounts accounts;
  accounts.regulator = key_for(1u << 31);
  for (size_t i = 0; i < o.buyers; ++i) accounts.buyers.push_back(key_for(i));

  if (!o.only.empty()) return run_only(o, accounts, work);

  if (o.keep) {
    say("warning: --keep keeps every stopped cluster's files, and the page cache they fill "
        "slows the later phases");
  }
  // 1. Verify rate, on the signing messages of real transfers.
  auto verify_txs = sign_transfers(accounts, 2000, 0, wall_ms() + 600000);
  auto vr = measure_verify_rate(verify_txs, o.verify_seconds);
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  say("Ed25519 verify rate (one core): %.0f /s", vr.rate);

  // 2. Cluster.
  Cluster cluster(o, accounts, work);
  cluster.start();
  int leader = cluster.wait_leader(30);
  if (leader < 0) die("no leader within 30 s; logs in " + work);
  say("cluster up, leader %s", cluster.nodes()[leader].node_id.c_str());

  // Warm-up: a few batches through every node, then wait for their commit.
  {
    auto warm = sign_transfers(accounts, 3000, 1, wall_ms() + 1800000);
    Options wo = o;
    wo.clients = 3;
    auto wr = run_throughput(cluster, leader, warm, wo);
    say("warm-up: %llu committed, %.0f tx/s", static_cast<unsigned long long>(wr.committed),
        wr.tps);
  }
  leader = cluster.wait_leader(10);
  if (leader < 0) die("no leader after warm-up");

  say("signing %zu transfers from %zu buyers", o.txs, o.buyers);
  auto txs = sign_transfers(accounts, o.txs, 2, wall_ms() + 3000000);
  auto tr = run_throughput(cluster, leader, txs, o);
  note_jobs();
  txs.clear();
  txs.shrink_to_fit();
  // Measured again with the cluster idle: a neighbour's burst can only lower a
  // measurement, so the higher of the two is the machine's rate.
  auto vr_after = measure_verify_rate(verify_txs, o.verify_seconds);
  double verify_rate = std::max(vr.rate, vr_after.rate);
  double bound = cores * verify_rate / kNodes;
  say("Ed25519 verify rate (one core): %.0f /s before, %.0f /s after; bound = %u x %.0f / %d = "
      "%.0f tx/s",
      vr.rate, vr_after.rate, cores, verify_rate, kNodes, bound);
  double fraction = tr.tps / bound;
  say("throughput: %llu committed in %.2f s = %.0f tx/s (submit %.2f s, %llu busy retries); "
      "every node applied %.1f s after the leader (%.0f tx/s)",
      static_cast<unsigned long long>(tr.committed), tr.seconds, tr.tps, tr.submit_seconds,
      static_cast<unsigned long long>(tr.busy), tr.follower_lag_seconds, tr.all_applied_tps);
  std::printf("fraction of bound: %.2f\n", fraction);
  std::fflush(stdout);
  if (!tr.complete) say("warning: not every accepted transaction was seen committed");

  // 3. Latency at half the measured peak.
  double half = std::max(1.0, tr.tps / 2);
  size_t n_lat = static_cast<size_t>(half * o.latency_seconds);
  auto lat_txs = sign_transfers(accounts, n_lat, 3, wall_ms() + 3000000);
  // Latency at a steady half load, not the peak run's aftermath.
  const double settle_seconds = wait_nodes_idle(cluster, 60);
  say("nodes idle %.1f s after the throughput run", settle_seconds);
  say("latency: %zu single wait:committed submits at %.0f tx/s", n_lat, half);
  auto lr = run_latency(cluster, lat_txs, half);
  say("latency at %.0f tx/s (achieved %.0f): p50 %.1f ms, p99 %.1f ms (%llu errors)", half,
      lr.achieved_rate, lr.p50_ms, lr.p99_ms,
      static_cast<unsigned long long>(lr.errors + lr.transport_errors));
  say_syncs(lr.syncs);

  note_jobs();

  // 4. Memory.
  json nodes = json::array();
  for (const auto& n : cluster.nodes()) {
    long hwm = proc_status_kb(n.pid, "VmHWM");
    long rss = proc_status_kb(n.pid, "VmRSS");
    nodes.push_back({{"node_id", n.node_id}, {"vm_hwm_kb", hwm}, {"vm_rss_kb", rss}});
    say("%s: peak RSS %.1f MiB", n.node_id.c_str(), static_cast<double>(hwm) / 1024.0);
  }
  cluster.stop();
  if (!o.keep) cluster.remove_data();

  // 5. The same cluster without signatures (benchmark mode), then etcd.
  json nosig;
  {
    Cluster ns(o, accounts, work + "/nosig");
    ns.set_extra_args({"--bench-no-signatures"});
    ns.start();
    int l = ns.wait_leader(30);
    if (l < 0) die("no leader in the no-signature cluster; logs in " + work + "/nosig");
    run_throughput(ns, l, sign_transfers(accounts, 3000, 4, wall_ms() + 1800000), o);
    auto nr = run_throughput(ns, l, sign_transfers(accounts, o.txs, 5, wall_ms() + 3000000), o);
    say("no signatures: %.0f tx/s", nr.tps);
    nosig = throughput_json(nr);
    ns.stop();
    if (!o.keep) ns.remove_data();
  }
  // 6. The same load on a state of many participants and contracts.
  json big;
  {
    Cluster bc(o, accounts, work + "/big");
    double fill = 0;
    for (const auto& n : bc.nodes())
      fill += prefill_state(n.data_dir + "/state", o.big_state, o.big_state);
    say("prefilled %zu participants and %zu contracts per node in %.1f s", o.big_state, o.big_state,
        fill);
    bc.start();
    int l = bc.wait_leader(60);
    if (l < 0) die("no leader in the large-state cluster; logs in " + work + "/big");
    run_throughput(bc, l, sign_transfers(accounts, 3000, 7, wall_ms() + 1800000), o);
    auto br = run_throughput(bc, l, sign_transfers(accounts, o.txs, 8, wall_ms() + 3000000), o);
    say("large state: %.0f tx/s (%.2f of the empty state's)", br.tps, br.tps / tr.tps);
    big = throughput_json(br);
    big["participants"] = big["contracts"] = o.big_state;
    big["prefill_seconds"] = fill;
    bc.stop();
    if (!o.keep) bc.remove_data();
  }
  EtcdResult er = run_etcd(work + "/etcd", o.quick,
                           sign_transfers(accounts, 1, 6, wall_ms() + 600000)[0].canonical.size());
  json etcd = {{"available", er.available},
               {"version", er.version},
               {"why_not", er.why_not},
               {"peak_wps", er.peak_wps},
               {"runs", json::array()}};
  for (const auto& r : er.runs) {
    etcd["runs"].push_back({{"how", r.how},
                            {"clients", r.clients},
                            {"writes", r.writes},
                            {"errors", r.errors},
                            {"seconds", r.seconds},
                            {"wps", r.wps}});
  }
  if (er.available) {
    std::printf("no-signature throughput / etcd: %.2f\n", nosig["tps"].get<double>() / er.peak_wps);
  }

  struct utsname un {};
  ::uname(&un);
  json lat_codes = json::object();
  for (auto [code, count] : lr.errors_by_code) lat_codes[std::to_string(code)] = count;
  json res = {
      {"date", utc_now()},
      {"commit", o.commit},
      {"mode", o.quick ? "quick" : "full"},
      {"load_before", load_before},
      {"load_after", loadavg()},
      {"heavy_jobs", jobs},
      {"machine",
       {{"nproc", cores},
        {"cpu_model", cpu_model()},
        {"kernel", std::string(un.sysname) + " " + un.release + " " + un.machine}}},
      {"config",
       {{"nodes", kNodes},
        {"buyers", o.buyers},
        {"txs", o.txs},
        {"clients", o.clients},
        {"batch", o.batch},
        {"latency_seconds", o.latency_seconds}}},
      {"verify",
       {{"rate", verify_rate},
        {"rate_before", vr.rate},
        {"rate_after", vr_after.rate},
        {"verifications", vr.verifications},
        {"seconds", vr.seconds},
        {"distinct_txs", verify_txs.size()},
        {"verifications_per_tx", kNodes},
        {"cores", cores},
        {"bound_tps", bound}}},
      {"throughput", throughput_json(tr)},
      {"fraction_of_bound", fraction},
      {"latency",
       {{"target_rate", lr.target_rate},
        {"achieved_rate", lr.achieved_rate},
        {"seconds", lr.seconds},
        {"requests", lr.requests},
        {"committed", lr.committed},
        {"errors", lr.errors},
        {"errors_by_code", lat_codes},
        {"transport_errors", lr.transport_errors},
        {"connections", lr.connections},
        {"retries_on_fresh_connection", lr.retries},
        {"longest_gap_ms", lr.longest_gap_ms},
        {"raft_log_syncs", lr.syncs.ok ? json{{"count", lr.syncs.count},
                                              {"over_16ms", lr.syncs.over_16ms},
                                              {"over_64ms", lr.syncs.over_64ms}}
                                       : json(nullptr)},
        {"p50_ms", lr.p50_ms},
        {"p90_ms", lr.p90_ms},
        {"p99_ms", lr.p99_ms},
        {"max_ms", lr.max_ms},
        {"mean_ms", lr.mean_ms},
        {"p50_from_send_ms", lr.p50_send_ms},
        {"p99_from_send_ms", lr.p99_send_ms},
        {"node_cpu_seconds", lr.node_cpu_seconds},
        {"host_steal_fraction", lr.steal_fraction},
        {"bench_cpu_seconds", lr.bench_cpu_seconds},
        {"settle_seconds", settle_seconds}}},
      {"nodes", nodes},
      {"no_signatures", nosig},
      {"etcd", etcd},
      {"large_state", big},
  };
  write_reports(o, res);
  say("wrote %s/results.json and %s/RESULTS.md", o.out.c_str(), o.out.c_str());
  if (!o.keep && o.work_dir.empty()) fs::remove_all(work);
  return 0;
}
