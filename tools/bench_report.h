// bench/results.json and bench/RESULTS.md, with the machine's details (suanli-bench).
#pragma once

#include "tools/bench_common.h"

namespace suanli::bench {

struct ThroughputResult {
  uint64_t submitted = 0, accepted = 0, committed = 0, rejected = 0, blocks = 0, duplicate = 0,
           busy = 0, no_leader = 0, failed = 0, requests = 0, http_errors = 0, transport_errors = 0;
  size_t max_block_txs = 0;
  double submit_seconds = 0, seconds = 0, tps = 0, submit_rate = 0;
  bool complete = false;
  std::map<int, uint64_t> failed_by_code;
  std::string first_failure;
  std::vector<double> node_cpu_seconds;
  double bench_cpu_seconds = 0;
  double follower_lag_seconds = 0;  // last commit on the leader to last apply on every node
  double all_applied_tps = 0;       // committed / (first submit to last apply on every node)
  uint64_t sample_checked = 0, sample_ok = 0;
  // Ed25519 verifications the three nodes made during the run (their
  // suanli_signature_verifications_total); -1 when a node did not answer.
  int64_t verifications = -1;
  double steal_fraction = -1;  // of the machine's CPU time, taken by the host (/proc/stat)
};

inline json throughput_json(const ThroughputResult& tr) {
  json failed_codes = json::object();
  for (auto [code, count] : tr.failed_by_code) failed_codes[std::to_string(code)] = count;
  return json{{"tps", tr.tps},
              {"seconds", tr.seconds},
              {"submit_seconds", tr.submit_seconds},
              {"submit_rate", tr.submit_rate},
              {"submitted", tr.submitted},
              {"accepted", tr.accepted},
              {"committed", tr.committed},
              {"complete", tr.complete},
              {"rejected", tr.rejected},
              {"blocks", tr.blocks},
              {"max_block_txs", tr.max_block_txs},
              {"busy", tr.busy},
              {"no_leader", tr.no_leader},
              {"duplicate", tr.duplicate},
              {"failed", tr.failed},
              {"failed_by_code", failed_codes},
              {"first_failure", tr.first_failure},
              {"requests", tr.requests},
              {"http_errors", tr.http_errors},
              {"transport_errors", tr.transport_errors},
              {"node_cpu_seconds", tr.node_cpu_seconds},
              {"bench_cpu_seconds", tr.bench_cpu_seconds},
              {"sample_checked", tr.sample_checked},
              {"sample_ok", tr.sample_ok},
              {"signature_verifications", tr.verifications},
              {"host_steal_fraction", tr.steal_fraction},
              {"follower_lag_seconds", tr.follower_lag_seconds},
              {"all_nodes_applied_tps", tr.all_applied_tps}};
}

// Other heavy jobs (compilers, test runners) running now: they distort every figure.
inline std::vector<std::string> heavy_jobs() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    std::string pid = e.path().filename().string();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0]))) continue;
    std::ifstream f(e.path() / "comm");
    std::string comm;
    std::getline(f, comm);
    if (comm == "cc1plus" || comm == "ninja" || comm == "ctest" || comm == "ld" ||
        (comm.size() > 6 && comm.ends_with("_tests"))) {
      out.push_back(comm + " (" + pid + ")");
    }
  }
  return out;
}

inline std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

inline std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

inline std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

inline std::string fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

// " CPU time taken by the host (steal): Y %." for a phase's result, or "".
inline std::string steal_sentence(const json& r) {
  if (r.value("host_steal_fraction", -1.0) < 0) return "";
  return " CPU time taken by the host (steal): " +
         fmt(100 * r["host_steal_fraction"].get<double>(), 1) + " %.";
}

// " Node CPU X µs per transaction (3 nodes)." and the steal sentence, for a
// throughput-shaped result, or what of them is known.
inline std::string cpu_and_steal(const json& r) {
  std::string out;
  if (r.contains("node_cpu_seconds") && r.value("committed", uint64_t{0}) > 0) {
    double cpu = 0;
    for (const auto& c : r["node_cpu_seconds"]) cpu += c.get<double>();
    out += " Node CPU " + fmt(cpu * 1e6 / r["committed"].get<double>(), 0) +
           " µs per transaction (3 nodes).";
  }
  return out + steal_sentence(r);
}

inline std::string with_commas(double v) {
  auto n = static_cast<long long>(std::llround(v));
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

// " Synced Raft log writes: N (3 nodes), M over 16 ms, K over 64 ms." for
// the latency phase, or "" when the nodes did not report them.
inline std::string raft_log_sync_sentence(const json& r) {
  if (!r.contains("raft_log_syncs") || !r["raft_log_syncs"].is_object()) return "";
  const json& s = r["raft_log_syncs"];
  return " Synced Raft log writes (write and fdatasync, the nodes' "
         "`suanli_raft_log_sync_duration_seconds`): " +
         with_commas(s["count"].get<double>()) + " (3 nodes), " +
         with_commas(s["over_16ms"].get<double>()) + " over 16 ms, " +
         with_commas(s["over_64ms"].get<double>()) + " over 64 ms.";
}

inline void write_reports(const Options& o, const json& res) {
  fs::create_directories(o.out);
  std::ofstream(o.out + "/results.json") << res.dump(2) << "\n";
  const json& m = res["machine"];
  const json& v = res["verify"];
  const json& t = res["throughput"];
  const json& l = res["latency"];
  std::ostringstream md;
  md << "# suanli benchmark results\n\n"
     << "Written by `scripts/bench.sh" << (o.quick ? " --quick" : "") << "` (`suanli-bench`), "
     << res["date"].get<std::string>() << ", commit " << res["commit"].get<std::string>()
     << ". Every figure below was measured in that one run, on this machine; "
     << "`bench/results.json` has them all.\n\n"
     << "## Machine\n\n"
     << "| | |\n|---|---|\n"
     << "| cores (nproc) | " << m["nproc"].get<int>() << " |\n"
     << "| CPU | " << m["cpu_model"].get<std::string>() << " |\n"
     << "| kernel | " << m["kernel"].get<std::string>() << " |\n"
     << "| mode | " << (o.quick ? "quick" : "full") << " |\n"
     << "| load average before / after | " << res["load_before"].get<std::string>() << " / "
     << res["load_after"].get<std::string>() << " |\n\n";
  if (!res["heavy_jobs"].empty()) {
    md << "**Warning: other heavy jobs ran during this measurement (";
    size_t n = res["heavy_jobs"].size();
    for (size_t i = 0; i < std::min<size_t>(n, 8); ++i) {
      md << (i ? ", " : "") << res["heavy_jobs"][i].get<std::string>();
    }
    if (n > 8) md << " and " << n - 8 << " more";
    md << "); every figure is distorted by them.**\n\n";
  }
  md << "The cluster is 3 `suanlid` processes on this machine (127.0.0.1), and the load "
        "generator runs on the same cores.\n\n"
     << "## Results\n\n"
     << "| measure | value | target |\n|---|---|---|\n"
     << "| Ed25519 verify rate, one core (libsodium) | " << with_commas(v["rate"].get<double>())
     << " /s | |\n"
     << "| signature bound = " << m["nproc"].get<int>() << " cores × rate ÷ 3 verifications | "
     << with_commas(v["bound_tps"].get<double>()) << " tx/s | |\n"
     << "| committed transfers per second (3 nodes, " << res["config"]["buyers"].get<size_t>()
     << " buyers, " << res["config"]["clients"].get<size_t>() << " keep-alive clients, batches of "
     << res["config"]["batch"].get<size_t>() << ") | " << with_commas(t["tps"].get<double>())
     << " tx/s | |\n"
     << "| the same, until every node has applied the last block (followers "
     << fmt(t["follower_lag_seconds"].get<double>(), 1) << " s behind the leader) | "
     << with_commas(t["all_nodes_applied_tps"].get<double>()) << " tx/s | |\n"
     << "| **fraction of bound** | **" << fmt(res["fraction_of_bound"].get<double>(), 2)
     << "** | ≥ 0.70 |\n"
     << "| commit latency p50 at " << with_commas(l["target_rate"].get<double>())
     << " tx/s (half of peak) | " << fmt(l["p50_ms"].get<double>(), 1) << " ms | |\n"
     << "| commit latency p99 at half of peak | " << fmt(l["p99_ms"].get<double>(), 1)
     << " ms | ≤ 50 ms |\n";
  if (l.contains("node_cpu_seconds") && l["committed"].get<double>() > 0) {
    // Single requests cost a node more than batches: the share of the machine
    // the nodes used at "half load" is what sets the queueing delay.
    double cpu = l["node_cpu_seconds"].get<double>();
    md << "| node CPU in the latency phase (3 nodes) | "
       << fmt(cpu * 1e6 / l["committed"].get<double>(), 0) << " µs per transaction, "
       << fmt(100.0 * cpu / (l["seconds"].get<double>() * res["machine"]["nproc"].get<double>()), 0)
       << " % of the machine | |\n";
  }
  for (const auto& n : res["nodes"]) {
    md << "| peak RSS (VmHWM) of " << n["node_id"].get<std::string>() << " | "
       << fmt(static_cast<double>(n["vm_hwm_kb"].get<long>()) / 1024.0, 1) << " MiB | bounded |\n";
  }
  const json& ns = res["no_signatures"];
  const json& ed = res["etcd"];
  md << "| committed transfers per second without signatures (benchmark mode) | "
     << with_commas(ns["tps"].get<double>()) << " tx/s | |\n";
  if (ed["available"].get<bool>()) {
    md << "| 3-member etcd " << ed["version"].get<std::string>()
       << ", peak replicated writes per second | " << with_commas(ed["peak_wps"].get<double>())
       << " writes/s | |\n"
       << "| **no-signature throughput ÷ etcd peak** | **"
       << fmt(ns["tps"].get<double>() / ed["peak_wps"].get<double>(), 2) << "×** | ≥ 2× |\n";
  } else {
    md << "| 3-member etcd | not measured: " << ed["why_not"].get<std::string>() << " | |\n";
  }
  const json& bs = res["large_state"];
  md << "| committed transfers per second with " << with_commas(bs["participants"].get<double>())
     << " participants + " << with_commas(bs["contracts"].get<double>()) << " contracts in state | "
     << with_commas(bs["tps"].get<double>()) << " tx/s | |\n"
     << "| **large state ÷ empty state** | **"
     << fmt(bs["tps"].get<double>() / t["tps"].get<double>(), 2) << "×** | ≥ 0.8× |\n\n"
     << "## Details\n\n"
     << "- Verify rate: `crypto_sign_verify_detached` over the signing messages of "
     << v["distinct_txs"].get<size_t>() << " pre-signed transfers, one thread, "
     << fmt(v["seconds"].get<double>(), 2) << " s, before the cluster starts ("
     << with_commas(v["rate_before"].get<double>()) << "/s) and again after the throughput run ("
     << with_commas(v["rate_after"].get<double>())
     << "/s); the bound uses the higher, since load from elsewhere can only lower it.\n"
     << "- Throughput: " << t["accepted"].get<uint64_t>() << " pre-signed transfers submitted "
     << "(`tx_submit`, `wait: none`, JSON-RPC batches spread over the 3 nodes; `busy` answers "
        "retried after `retry_after_ms`: "
     << t["busy"].get<uint64_t>() << " times), " << t["committed"].get<uint64_t>()
     << " committed in " << t["blocks"].get<uint64_t>() << " blocks (largest "
     << t["max_block_txs"].get<size_t>() << "), " << fmt(t["seconds"].get<double>(), 2)
     << " s from the first submit to the last commit seen on the leader (submitting took "
     << fmt(t["submit_seconds"].get<double>(), 2)
     << " s). Signature-rejected in blocks: " << t["rejected"].get<uint64_t>()
     << "; other submit errors: " << t["failed"].get<uint64_t>() << ". A sample of "
     << t["sample_checked"].get<uint64_t>() << " committed transactions "
     << "checked with `tx_get`: " << t["sample_ok"].get<uint64_t>() << " applied successfully.";
  if (t.value("signature_verifications", int64_t{-1}) >= 0 && t["committed"].get<uint64_t>() > 0) {
    md << " Ed25519 verifications by the three nodes (their metrics): "
       << fmt(static_cast<double>(t["signature_verifications"].get<int64_t>()) /
                  static_cast<double>(t["committed"].get<uint64_t>()),
              2)
       << " per committed transaction (the bound assumes 3).";
  }
  md << "\n"
     << "- CPU seconds during the throughput run: nodes";
  for (const auto& c : t["node_cpu_seconds"]) md << " " << fmt(c.get<double>(), 1);
  md << ", load generator " << fmt(t["bench_cpu_seconds"].get<double>(), 1) << " (of "
     << fmt(t["seconds"].get<double>() * m["nproc"].get<int>(), 1) << " available)."
     << cpu_and_steal(t) << "\n"
     << "- Latency: started once the nodes had been idle for 1 s after the throughput run (";
  if (l.contains("settle_seconds") && l["settle_seconds"].get<double>() >= 0) {
    md << fmt(l["settle_seconds"].get<double>(), 1) << " s: the flushes and compactions that run"
       << " left, at idle priority, done first";
  } else {
    md << "not within 60 s; measured anyway";
  }
  md << "); " << l["requests"].get<uint64_t>()
     << " single `tx_submit` requests with `wait: committed`, open loop at "
     << with_commas(l["target_rate"].get<double>()) << " tx/s for "
     << fmt(l["seconds"].get<double>(), 1) << " s over " << l["connections"].get<size_t>()
     << " keep-alive connections to the 3 nodes; latency from the moment each request was due "
        "to its answer (p50 "
     << fmt(l["p50_ms"].get<double>(), 1) << ", p90 " << fmt(l["p90_ms"].get<double>(), 1)
     << ", p99 " << fmt(l["p99_ms"].get<double>(), 1) << ", max "
     << fmt(l["max_ms"].get<double>(), 1) << " ms); " << l["committed"].get<uint64_t>()
     << " committed, " << l["errors"].get<uint64_t>() << " errors, "
     << l["transport_errors"].get<uint64_t>() << " transport failures ("
     << l["retries_on_fresh_connection"].get<size_t>()
     << " requests resent once on a fresh connection); longest time without any answer "
     << fmt(l["longest_gap_ms"].get<double>(), 0) << " ms." << raft_log_sync_sentence(l)
     << steal_sentence(l) << "\n"
     << "- No signatures: a second cluster of the same 3 nodes (each stopped cluster's data is "
        "deleted first, so that the next phase's memory does not come from reclaiming its "
        "files' page cache) started with "
        "`--bench-no-signatures` (refused on any chain but `suanli-bench`), fed "
     << ns["committed"].get<uint64_t>() << " transfers the same way in "
     << fmt(ns["seconds"].get<double>(), 2) << " s (submitting took "
     << fmt(ns["submit_seconds"].get<double>(), 2) << " s)." << cpu_and_steal(ns) << "\n";
  if (ed["available"].get<bool>()) {
    md << "- etcd: 3 members on 127.0.0.1 with default settings (WAL fsync on every commit), "
          "driven through the HTTP/JSON gateway with values the size of a transfer's canonical "
          "JSON:";
    for (const auto& r : ed["runs"]) {
      md << " " << r["how"].get<std::string>() << " × " << r["clients"].get<size_t>() << " clients "
         << with_commas(r["wps"].get<double>()) << "/s (" << r["errors"].get<uint64_t>()
         << " errors);";
    }
    md << " the peak is the best of these.\n";
  }
  md << "- Large state: before a third cluster's first start, every node's state database got "
     << with_commas(bs["participants"].get<double>())
     << " participants and as many completed "
        "contracts written straight into it, identically (benchmark only; they hold no money), in "
     << fmt(bs["prefill_seconds"].get<double>(), 1)
     << " s for the three; then the same load as the first run (" << bs["committed"].get<uint64_t>()
     << " transfers in " << fmt(bs["seconds"].get<double>(), 2) << " s)." << cpu_and_steal(bs)
     << "\n";
  std::ofstream(o.out + "/RESULTS.md") << md.str();
}

}  // namespace suanli::bench
