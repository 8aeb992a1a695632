// suanli-bench's peer: a 3-member etcd cluster (Debian etcd-server) on this
// machine, driven to its peak with replicated writes through etcd's HTTP/JSON
// gateway (/v3/kv/put, and /v3/kv/txn with many puts per request, the
// counterpart of suanli's JSON-RPC batches).
#pragma once

#include <sodium.h>
#include <stdio.h>

#include "tools/bench_cluster.h"

namespace suanli::bench {

struct EtcdRun {
  std::string how;
  size_t clients = 0;
  size_t ops_per_request = 1;
  uint64_t writes = 0;
  uint64_t errors = 0;
  double seconds = 0;
  double wps = 0;
};

struct EtcdResult {
  bool available = false;
  std::string version;
  std::string why_not;  // when not available
  std::vector<EtcdRun> runs;
  double peak_wps = 0;
};

inline std::string base64(std::string_view in) {
  std::string out(sodium_base64_encoded_len(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()),
                    in.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

class EtcdCluster {
 public:
  EtcdCluster(std::string exe, std::string dir) : exe_(std::move(exe)), dir_(std::move(dir)) {
    uint16_t base = free_port_block();
    std::string initial;
    for (int i = 0; i < kNodes; ++i) {
      Member m;
      m.name = "e" + std::to_string(i + 1);
      m.client_port = static_cast<uint16_t>(base + 1 + i);
      m.peer_port = static_cast<uint16_t>(base + 9 + i);
      m.data_dir = dir_ + "/" + m.name;
      m.log = dir_ + "/" + m.name + ".log";
      if (!initial.empty()) initial += ",";
      initial += m.name + "=http://127.0.0.1:" + std::to_string(m.peer_port);
      members_.push_back(m);
    }
    initial_ = initial;
  }
  ~EtcdCluster() { stop(); }

  void start() {
    fs::create_directories(dir_);
    for (auto& m : members_) {
      const std::string client = "http://127.0.0.1:" + std::to_string(m.client_port);
      const std::string peer = "http://127.0.0.1:" + std::to_string(m.peer_port);
      // Defaults otherwise: every write fsynced to the WAL, as suanli does.
      std::vector<std::string> args = {exe_,           "--name",
                                       m.name,         "--data-dir",
                                       m.data_dir,     "--listen-client-urls",
                                       client,         "--advertise-client-urls",
                                       client,         "--listen-peer-urls",
                                       peer,           "--initial-advertise-peer-urls",
                                       peer,           "--initial-cluster",
                                       initial_,       "--initial-cluster-state",
                                       "new",          "--initial-cluster-token",
                                       "suanli-bench", "--log-level",
                                       "warn"};
      m.pid = spawn_logged(args, m.log);
    }
  }

  void stop() {
    for (auto& m : members_) {
      if (m.pid <= 0) continue;
      ::kill(m.pid, SIGTERM);
      ::waitpid(m.pid, nullptr, 0);
      m.pid = 0;
    }
  }

  // True once a put through every member succeeds.
  bool wait_ready(double timeout_s) {
    auto start = Clock::now();
    while (secs_since(start) < timeout_s) {
      bool all = true;
      for (auto& m : members_) {
        KeepAliveClient c("127.0.0.1", m.client_port);
        auto r = c.post(put_body("ready", "x"), 2000, "/v3/kv/put");
        all = all && r && r->status == 200;
      }
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  static std::string put_body(std::string_view key, std::string_view value) {
    return json{{"key", base64(key)}, {"value", base64(value)}}.dump();
  }

  // `clients` keep-alive connections spread over the members, each sending
  // requests of `ops` puts back to back for `seconds`.
  EtcdRun drive(size_t clients, size_t ops, double seconds, size_t value_bytes) {
    EtcdRun run;
    run.how = ops == 1 ? "put" : "txn of " + std::to_string(ops) + " puts";
    run.clients = clients;
    run.ops_per_request = ops;
    std::atomic<uint64_t> writes{0}, errors{0};
    std::atomic<bool> stop{false};
    const std::string value(value_bytes, 'v');
    std::vector<std::thread> threads;
    auto start = Clock::now();
    for (size_t t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        KeepAliveClient c("127.0.0.1", members_[t % members_.size()].client_port);
        uint64_t i = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          std::string body;
          const char* target = "/v3/kv/put";
          if (ops == 1) {
            body = put_body("k/" + std::to_string(t) + "/" + std::to_string(i++), value);
          } else {
            json success = json::array();
            for (size_t k = 0; k < ops; ++k) {
              success.push_back(
                  {{"request_put",
                    {{"key", base64("k/" + std::to_string(t) + "/" + std::to_string(i++))},
                     {"value", base64(value)}}}});
            }
            body = json{{"success", success}}.dump();
            target = "/v3/kv/txn";
          }
          auto r = c.post(body, 10000, target);
          if (r && r->status == 200) {
            writes.fetch_add(ops, std::memory_order_relaxed);
          } else {
            errors.fetch_add(1, std::memory_order_relaxed);
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& th : threads) th.join();
    run.seconds = secs_since(start);
    run.writes = writes.load();
    run.errors = errors.load();
    run.wps = static_cast<double>(run.writes) / run.seconds;
    return run;
  }

 private:
  struct Member {
    std::string name, data_dir, log;
    uint16_t client_port = 0, peer_port = 0;
    pid_t pid = 0;
  };
  std::string exe_, dir_, initial_;
  std::vector<Member> members_;
};

inline std::string run_capture(const std::string& cmd) {
  std::string out;
  if (FILE* f = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof(buf), f)) out += buf;
    ::pclose(f);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

inline std::string find_etcd() {
  for (const char* p : {"/usr/bin/etcd", "/usr/local/bin/etcd"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

// Runs etcd at a few concurrencies, with single puts and with txn batches;
// the peak is the best of them.
inline EtcdResult run_etcd(const std::string& dir, bool quick, size_t value_bytes) {
  EtcdResult res;
  std::string exe = find_etcd();
  if (exe.empty()) {
    res.why_not = "etcd not installed (Debian etcd-server)";
    return res;
  }
  res.version = run_capture(exe + " --version 2>&1 | head -1");
  EtcdCluster etcd(exe, dir);
  etcd.start();
  if (!etcd.wait_ready(30)) {
    res.why_not = "the etcd cluster did not come up; logs in " + dir;
    return res;
  }
  res.available = true;
  const double secs = quick ? 8 : 20;
  struct Shape {
    size_t clients, ops;
  };
  for (Shape s : {Shape{32, 1}, Shape{128, 1}, Shape{16, 100}}) {
    auto run = etcd.drive(s.clients, s.ops, secs, value_bytes);
    say("etcd %s, %zu clients: %.0f writes/s (%llu errors)", run.how.c_str(), run.clients, run.wps,
        static_cast<unsigned long long>(run.errors));
    res.peak_wps = std::max(res.peak_wps, run.wps);
    res.runs.push_back(run);
  }
  etcd.stop();
  return res;
}

}  // namespace suanli::bench
