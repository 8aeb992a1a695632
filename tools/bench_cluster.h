// suanli-bench's accounts (1000+ funded buyers), its 3-node cluster of real
// suanlid processes, their figures from /proc, and the commit monitor.
#pragma once

#include "common/random.h"
#include "tools/bench_common.h"

namespace suanli::bench {

// ---------------------------------------------------------------- accounts

inline ledger::KeyPair key_for(uint64_t i) {
  std::array<uint8_t, 32> seed{};
  std::memcpy(seed.data(), &i, sizeof(i));
  seed[30] = 0xbe;
  seed[31] = 0x4c;
  return ledger::keypair_from_seed(seed);
}

// 17 characters of a unified social credit code: "91110108MA" + 7 digits.
inline std::string credit_code_for(uint64_t i) {
  char digits[8];
  std::snprintf(digits, sizeof(digits), "%07llu", static_cast<unsigned long long>(i % 10000000));
  return genesis::make_credit_code(std::string("91110108MA") + digits);
}

struct Accounts {
  ledger::KeyPair regulator;
  std::vector<ledger::KeyPair> buyers;
};

// Signs `n` transfers between distinct buyers (amount 1 fen), each with a
// nonce unique to (phase, i); on all cores. Returns them in order.
inline std::vector<ledger::Tx> sign_transfers(const Accounts& a, size_t n, uint32_t phase,
                                              uint64_t expires_at) {
  std::vector<ledger::Tx> txs(n);
  size_t threads = std::max<size_t>(1, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  size_t nb = a.buyers.size();
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < n; i += threads) {
        size_t from = (i * 7919 + phase) % nb;
        size_t to = (from + 1 + (i * 104729) % (nb - 1)) % nb;
        ledger::Tx tx;
        tx.chain_id = kChainId;
        tx.type = ledger::TxType::kTransfer;
        tx.signer = a.buyers[from].pubkey;
        uint64_t idx = i;
        std::memcpy(tx.nonce.data(), &idx, sizeof(idx));
        std::memcpy(tx.nonce.data() + 8, &phase, sizeof(phase));
        tx.expires_at = expires_at;
        tx.payload = ledger::Transfer{a.buyers[to].pubkey, 1, ""};
        ledger::sign_tx(tx, a.buyers[from].seed);
        txs[i] = std::move(tx);
      }
    });
  }
  for (auto& th : pool) th.join();
  return txs;
}

// ---------------------------------------------------------------- cluster

// Starts args[0] with args, stdout and stderr appended to `log`; its pid.
inline pid_t spawn_logged(std::vector<std::string> args, const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  // Nothing else of ours: a child holding a copy of a socket (Asio's are not
  // close-on-exec) keeps it open after we close it, so a peer sees no FIN,
  // and suanli-chaos's proxy could not cut a link.
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0].c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) die("cannot spawn " + args[0] + ": " + std::strerror(rc));
  return pid;
}

inline uint16_t free_port_block() {
  auto base =
      genesis::free_port_block(10000, 600, static_cast<uint32_t>(::getpid() * 7919 + wall_ms()));
  if (!base) die("no free port block");
  return *base;
}

struct NodeProc {
  std::string node_id;
  std::string data_dir, key_file, listen, log;
  uint16_t rpc_port = 0;
  pid_t pid = 0;
};

class Cluster {
 public:
  // Node i's membership address (where peers dial it) given its listen port;
  // empty: the listen address itself. suanli-chaos puts a proxy in between.
  using AddressFor = std::function<std::string(int node, uint16_t listen_port)>;

  Cluster(const Options& o, const Accounts& a, const std::string& dir, int nodes = kNodes,
          const AddressFor& address_for = {})
      : dir_(dir), exe_(o.suanlid) {
    // Listen ports are base+1.., RPC ports base+9.. within one 16-port block.
    if (nodes < 1 || nodes > 8) die("a cluster has 1..8 nodes");
    fs::create_directories(dir);
    uint16_t base = free_port_block();
    ledger::Genesis g;
    g.chain_id = kChainId;
    g.genesis_time = wall_ms();
    g.policy.membership_approvals = 1;
    g.participants.push_back(ledger::GenesisParticipant{
        a.regulator.pubkey, ledger::Role::kRegulator, "CN-GZ", "贵州省大数据发展管理局",
        genesis::make_credit_code("11520000MB1742085"), "", 0});
    const char* provinces[] = {"CN-BJ", "CN-GD", "CN-SH", "CN-GZ"};
    for (size_t i = 0; i < a.buyers.size(); ++i) {
      g.participants.push_back(ledger::GenesisParticipant{
          a.buyers[i].pubkey, ledger::Role::kBuyer, provinces[i % 4],
          "bench buyer " + std::to_string(i), credit_code_for(i), "", kBuyerBalanceFen});
    }
    for (int i = 0; i < nodes; ++i) {
      NodeProc n;
      n.node_id = "n" + std::to_string(i + 1);
      const auto listen_port = static_cast<uint16_t>(base + 1 + i);
      n.listen = "127.0.0.1:" + std::to_string(listen_port);
      n.rpc_port = static_cast<uint16_t>(base + 9 + i);
      n.data_dir = dir + "/data/" + n.node_id;
      n.key_file = dir + "/" + n.node_id + ".key.json";
      n.log = dir + "/" + n.node_id + ".log";
      ledger::KeyPair key = ledger::keypair_from_seed(random_seed32());
      Status s = genesis::write_node_key(n.key_file, key);
      if (!s) die("node key: " + s.to_string());
      std::string address = address_for ? address_for(i, listen_port) : n.listen;
      g.nodes.push_back(
          ledger::GenesisNode{n.node_id, key.pubkey, address, ledger::NodeRole::kVoter});
      nodes_.push_back(n);
    }
    std::string text = genesis::genesis_to_json(g).dump() + "\n";
    auto parsed = genesis::parse_genesis(text);
    if (!parsed) die("genesis: " + parsed.status().to_string());
    genesis_path_ = dir + "/genesis.json";
    std::ofstream(genesis_path_) << text;
  }

  ~Cluster() { stop(); }
  // Extra suanlid arguments for every node started from now on.
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }

  void start() {
    for (int i = 0; i < size(); ++i) start_one(i);
  }
  int size() const { return static_cast<int>(nodes_.size()); }

  // Starts node i if it is not running.
  void start_one(int i) {
    NodeProc& n = nodes_.at(static_cast<size_t>(i));
    if (n.pid > 0) return;
    std::vector<std::string> args = {
        exe_,        "--data-dir",  n.data_dir,
        "--genesis", genesis_path_, "--listen",
        n.listen,    "--rpc",       "127.0.0.1:" + std::to_string(n.rpc_port),
        "--key",     n.key_file,    "--node-id",
        n.node_id,   "--log-level", "info"};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    n.pid = spawn_logged(args, n.log);
  }

  void kill9(int i) {
    NodeProc& n = nodes_.at(static_cast<size_t>(i));
    if (n.pid <= 0) return;
    ::kill(n.pid, SIGCONT);  // a paused node dies as well
    ::kill(n.pid, SIGKILL);
    ::waitpid(n.pid, nullptr, 0);
    n.pid = 0;
  }
  void signal(int i, int sig) {
    if (nodes_.at(static_cast<size_t>(i)).pid > 0) ::kill(nodes_[static_cast<size_t>(i)].pid, sig);
  }
  // Index of a node that exited by itself (not through kill9/stop), or -1.
  int crashed() {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      auto& n = nodes_[i];
      if (n.pid > 0 && ::waitpid(n.pid, nullptr, WNOHANG) == n.pid) {
        n.pid = 0;
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  void stop() {
    for (auto& n : nodes_) {
      if (n.pid > 0) ::kill(n.pid, SIGCONT);
      if (n.pid > 0) ::kill(n.pid, SIGTERM);
    }
    for (auto& n : nodes_) {
      if (n.pid > 0) ::waitpid(n.pid, nullptr, 0);
      n.pid = 0;
    }
  }

  // Deletes the stopped nodes' data (their logs stay). Between the phases of
  // one run: the kernel keeps a stopped cluster's files in its page cache,
  // and the next cluster's memory then comes from reclaiming them. That made
  // the no-signature phase cost 134 µs per transaction against 97–99 with
  // the cache dropped or the files deleted (bench/PROFILE.md).
  void remove_data() {
    std::error_code ec;
    fs::remove_all(dir_ + "/data", ec);
  }

  // Index of the node that says it leads, once every node answers; -1 on timeout.
  int wait_leader(double timeout_s) {
    auto start = Clock::now();
    while (secs_since(start) < timeout_s) {
      for (auto& n : nodes_) {
        if (n.pid > 0 && ::waitpid(n.pid, nullptr, WNOHANG) == n.pid) {
          n.pid = 0;
          die(n.node_id + " exited; see " + n.log);
        }
      }
      int leader = -1, answered = 0;
      for (int i = 0; i < size(); ++i) {
        KeepAliveClient c("127.0.0.1", nodes_[i].rpc_port);
        auto r = c.call("node_status", json::object(), 1000);
        if (r && r->contains("result")) {
          ++answered;
          if ((*r)["result"].value("role", "") == "leader") leader = i;
        }
      }
      if (answered == size() && leader >= 0) return leader;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }

  const std::vector<NodeProc>& nodes() const { return nodes_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, exe_, genesis_path_;
  std::vector<NodeProc> nodes_;
  std::vector<std::string> extra_args_;
};

// /proc/PID/status field in kB, or -1.
inline long proc_status_kb(pid_t pid, const std::string& field) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// The machine's CPU time from /proc/stat: what the host's hypervisor took
// from this VM (steal) against all of it, in clock ticks.
struct CpuTicks {
  uint64_t steal = 0, total = 0;
};
inline CpuTicks machine_cpu_ticks() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  CpuTicks t;
  uint64_t v[8] = {};
  if (!(f >> cpu) || cpu != "cpu") return t;
  for (uint64_t& x : v) {
    if (!(f >> x)) return CpuTicks{};
    t.total += x;
  }
  t.steal = v[7];
  return t;
}
// The share of the machine's CPU time stolen by the host since `before`, or -1.
inline double steal_since(const CpuTicks& before) {
  CpuTicks now = machine_cpu_ticks();
  if (before.total == 0 || now.total <= before.total) return -1;
  return static_cast<double>(now.steal - before.steal) /
         static_cast<double>(now.total - before.total);
}

// Every node's GET /metrics body, or nullopt when a node does not answer.
inline std::optional<std::vector<std::string>> nodes_metrics(const Cluster& cluster) {
  std::vector<std::string> bodies;
  for (const auto& n : cluster.nodes()) {
    KeepAliveClient c("127.0.0.1", n.rpc_port);
    auto r = c.get("/metrics", 5000);
    if (!r || r->status != 200) return std::nullopt;
    bodies.push_back(std::move(r->body));
  }
  return bodies;
}

// The value of `sample` (a name and its labels, as /metrics writes them) in a
// /metrics body, or nullopt.
inline std::optional<uint64_t> metric_u64(const std::string& body, const std::string& sample) {
  auto at = body.find("\n" + sample + " ");
  if (at == std::string::npos) return std::nullopt;
  return std::stoull(body.substr(at + 2 + sample.size()));
}

// The sum of the nodes' suanli_signature_verifications_total, or -1 when a
// node's /metrics does not answer with it.
inline int64_t nodes_verifications(const Cluster& cluster) {
  auto bodies = nodes_metrics(cluster);
  if (!bodies) return -1;
  int64_t sum = 0;
  for (const std::string& body : *bodies) {
    auto n = metric_u64(body, "suanli_signature_verifications_total");
    if (!n) return -1;
    sum += static_cast<int64_t>(*n);
  }
  return sum;
}

// The nodes' synced Raft log writes (suanli_raft_log_sync_duration_seconds),
// summed: the count, and how many took longer than 16 and 64 ms. `ok` is
// false when a node's /metrics does not answer with them.
struct RaftLogSyncs {
  bool ok = false;
  uint64_t count = 0, over_16ms = 0, over_64ms = 0;
};
inline RaftLogSyncs nodes_raft_log_syncs(const Cluster& cluster) {
  RaftLogSyncs out;
  auto bodies = nodes_metrics(cluster);
  if (!bodies) return out;
  const std::string name = "suanli_raft_log_sync_duration_seconds";
  for (const std::string& body : *bodies) {
    auto count = metric_u64(body, name + "_count");
    auto le16 = metric_u64(body, name + "_bucket{le=\"0.016\"}");
    auto le64 = metric_u64(body, name + "_bucket{le=\"0.064\"}");
    if (!count || !le16 || !le64) return out;
    out.count += *count;
    out.over_16ms += *count - *le16;
    out.over_64ms += *count - *le64;
  }
  out.ok = true;
  return out;
}
inline RaftLogSyncs operator-(const RaftLogSyncs& a, const RaftLogSyncs& b) {
  RaftLogSyncs d;
  d.ok = a.ok && b.ok;
  if (!d.ok) return d;
  d.count = a.count - b.count;
  d.over_16ms = a.over_16ms - b.over_16ms;
  d.over_64ms = a.over_64ms - b.over_64ms;
  return d;
}

// utime + stime of a process in seconds, or -1.
inline double proc_cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream in(text.substr(close + 2));
  std::string field;
  std::vector<std::string> fields;
  while (in >> field) fields.push_back(field);
  // After "pid (comm) ": state is field 3, utime 14, stime 15 (1-based).
  if (fields.size() < 13) return -1;
  double ticks = std::stod(fields[11]) + std::stod(fields[12]);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

inline double self_cpu_seconds() { return proc_cpu_seconds(::getpid()); }

// CPU seconds of the cluster's nodes together.
inline double nodes_cpu_seconds(const Cluster& cluster) {
  double sum = 0;
  for (const auto& n : cluster.nodes()) sum += proc_cpu_seconds(n.pid);
  return sum;
}

// Waits until the nodes have been nearly idle (together under a tenth of a
// core) for one second, at most `max_seconds`: the memtable flushes and
// compactions a peak-load run leaves behind run at idle priority and would
// otherwise land in the next measurement. Returns the seconds waited, or -1
// if the nodes were still busy at the end.
inline double wait_nodes_idle(const Cluster& cluster, double max_seconds) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double before = nodes_cpu_seconds(cluster);
  while (elapsed() < max_seconds) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double now = nodes_cpu_seconds(cluster);
    if (now - before < 0.1) return elapsed();
    before = now;
  }
  return -1;
}

// ---------------------------------------------------------------- commit monitor

// Follows the blocks applied by one node through block_get with min_height
// (answered as soon as the block is applied), from `from_height` + 1.
class CommitMonitor {
 public:
  CommitMonitor(uint16_t port, uint64_t from_height)
      : client_("127.0.0.1", port), next_(from_height + 1) {
    thread_ = std::thread([this] { loop(); });
  }
  ~CommitMonitor() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  uint64_t committed() const { return committed_.load(); }
  uint64_t rejected() const { return rejected_.load(); }
  uint64_t blocks() const { return blocks_.load(); }
  uint64_t last_height() const { return next_ - 1; }
  // When `committed()` first reached n, or nullopt.
  std::optional<Clock::time_point> time_reached(uint64_t n) const {
    std::lock_guard lock(mu_);
    for (const auto& [t, total] : timeline_) {
      if (total >= n) return t;
    }
    return std::nullopt;
  }
  std::vector<std::string> sample_hashes(size_t n) const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (size_t i = 0; i < sampled_.size() && out.size() < n; ++i) out.push_back(sampled_[i]);
    return out;
  }
  size_t max_block_txs() const { return max_block_.load(); }

 private:
  void loop() {
    while (!stop_) {
      uint64_t h = next_.load();
      auto r =
          client_.call("block_get", {{"height", h}, {"min_height", h}, {"timeout_ms", 200}}, 5000);
      if (!r || !r->contains("result")) continue;
      const json& b = (*r)["result"];
      auto now = Clock::now();
      uint64_t n = b["txs"].size();
      committed_ += n;
      rejected_ += b["rejected"].size();
      ++blocks_;
      max_block_ = std::max<size_t>(max_block_.load(), n);
      {
        std::lock_guard lock(mu_);
        timeline_.emplace_back(now, committed_.load());
        if (n > 0 && sampled_.size() < 64) sampled_.push_back(b["txs"][n / 2].get<std::string>());
      }
      ++next_;
    }
  }

  KeepAliveClient client_;
  std::atomic<uint64_t> next_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> committed_{0}, rejected_{0}, blocks_{0};
  std::atomic<size_t> max_block_{0};
  mutable std::mutex mu_;
  std::vector<std::pair<Clock::time_point, uint64_t>> timeline_;
  std::vector<std::string> sampled_;
  std::thread thread_;
};

// ---------------------------------------------------------------- 1. verify rate

struct VerifyResult {
  double rate = 0;
  uint64_t verifications = 0;
  double seconds = 0;
};

inline VerifyResult measure_verify_rate(const std::vector<ledger::Tx>& txs, double seconds) {
  VerifyResult r;
  auto start = Clock::now();
  size_t i = 0;
  do {
    for (int k = 0; k < 64; ++k) {
      const ledger::Tx& tx = txs[i];
      i = (i + 1) % txs.size();
      int rc = crypto_sign_verify_detached(
          tx.signature.data(), reinterpret_cast<const unsigned char*>(tx.signing_message.data()),
          tx.signing_message.size(), tx.signer.data());
      if (rc != 0) die("a pre-signed transfer did not verify");
      ++r.verifications;
    }
    r.seconds = secs_since(start);
  } while (r.seconds < seconds);
  r.rate = static_cast<double>(r.verifications) / r.seconds;
  return r;
}

}  // namespace suanli::bench
