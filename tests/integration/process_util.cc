#include "tests/integration/process_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "genesis/node_config.h"
#include "wallet/rpc_client.h"

extern char** environ;

namespace suanli::testing {
namespace {

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

uint16_t free_port_block() {
  auto base =
      genesis::free_port_block(20000, 700, static_cast<uint32_t>(::getpid() * 7919 + now_ms()));
  if (!base) throw std::runtime_error("no free port block");
  return *base;
}

ProcessDevnet::ProcessDevnet(int nodes, const std::string& dir) : dir_(dir) {
  ledger::crypto_init();
  std::filesystem::remove_all(dir);
  genesis::DevnetOptions o;
  o.nodes = nodes;
  o.out_dir = dir;
  o.base_port = base_port_ = free_port_block();
  o.rpc_base_port = static_cast<uint16_t>(o.base_port + 8);
  o.clear_participant_keys = true;  // read directly below; no Argon2id cost
  auto r = genesis::write_devnet(o);
  if (!r) throw std::runtime_error("devnet: " + r.status().to_string());
  devnet_ = *r;
  for (const auto& p : devnet_.participants) {
    auto key = genesis::load_node_key(dir + "/keys/" + p.key_name + ".key.json");
    if (!key) throw std::runtime_error("key: " + key.status().to_string());
    keys_[p.key_name] = *key;
  }
  for (const auto& n : devnet_.nodes) {
    pids_.push_back(0);
    rpc_ports_.push_back(static_cast<uint16_t>(std::stoi(n.rpc.substr(n.rpc.rfind(':') + 1))));
  }
}

ProcessDevnet::~ProcessDevnet() {
  for (int i = 0; i < size(); ++i) kill9(i);
}

int ProcessDevnet::add_outsider(const std::string& node_id) {
  // The devnet uses base+1.. for peers and base+9.. for RPC; base+7 and
  // base+15 are left for one outsider.
  genesis::DevnetNode n;
  n.node_id = node_id;
  n.listen = "127.0.0.1:" + std::to_string(base_port_ + 7);
  n.rpc = "127.0.0.1:" + std::to_string(base_port_ + 15);
  n.config_path = dir_ + "/" + node_id + ".json";
  std::array<uint8_t, 32> seed{};
  randombytes_buf(seed.data(), seed.size());
  Status s =
      genesis::write_node_key(dir_ + "/" + node_id + ".key.json", ledger::keypair_from_seed(seed));
  if (!s) throw std::runtime_error("outsider key: " + s.to_string());
  nlohmann::json config = {{"node_id", node_id},        {"data_dir", "data/" + node_id},
                           {"genesis", "genesis.json"}, {"key_file", node_id + ".key.json"},
                           {"listen", n.listen},        {"rpc", n.rpc}};
  std::ofstream(n.config_path) << config.dump(2) << "\n";
  devnet_.nodes.push_back(n);
  pids_.push_back(0);
  rpc_ports_.push_back(static_cast<uint16_t>(base_port_ + 15));
  return size() - 1;
}

uint16_t ProcessDevnet::peer_port(int i) const {
  const std::string& listen = devnet_.nodes.at(i).listen;
  return static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

std::string ProcessDevnet::log_path(int i) const {
  return dir_ + "/" + devnet_.nodes.at(i).node_id + ".log";
}

void ProcessDevnet::start(int i) {
  if (pids_.at(i) > 0) return;
  std::string exe = std::string(SUANLI_BUILD_DIR) + "/node/suanlid";
  std::string config = devnet_.nodes.at(i).config_path;
  std::string log = log_path(i);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<std::string> args = {exe, "--config", config, "--log-level", "info"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  for (auto& e : env_[i]) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot spawn " + exe);
  pids_[i] = pid;
}

::testing::AssertionResult ProcessDevnet::start_all(int timeout_ms) {
  for (int i = 0; i < size(); ++i) start(i);
  for (int i = 0; i < size(); ++i) {
    if (!wait_ready(i, timeout_ms)) {
      return ::testing::AssertionFailure() << "node " << i << " not ready: " << log_path(i);
    }
  }
  if (leader(timeout_ms) < 0) return ::testing::AssertionFailure() << "no leader elected";
  // Every node knows the leader: a follower that has not heard of it yet
  // answers a submit with no_leader.
  const uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_ms);
  for (int i = 0; i < size(); ++i) {
    while (true) {
      auto r = call(i, "node_status", nlohmann::json::object(), 1000);
      if (r && r->contains("result") && !(*r)["result"].value("leader_id", "").empty()) break;
      if (now_ms() >= deadline) {
        return ::testing::AssertionFailure() << "node " << i << " knows no leader";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return ::testing::AssertionSuccess();
}

void ProcessDevnet::kill9(int i) {
  if (pids_.at(i) <= 0) return;
  ::kill(pids_[i], SIGKILL);
  ::waitpid(pids_[i], nullptr, 0);
  pids_[i] = 0;
}

void ProcessDevnet::terminate(int i) {
  if (pids_.at(i) <= 0) return;
  ::kill(pids_[i], SIGTERM);
  ::waitpid(pids_[i], nullptr, 0);
  pids_[i] = 0;
}

std::optional<int> ProcessDevnet::wait_exit(int i, int timeout_ms) {
  if (pids_.at(i) <= 0) return std::nullopt;
  for (int waited = 0; waited <= timeout_ms; waited += 50) {
    int st = 0;
    if (::waitpid(pids_[i], &st, WNOHANG) == pids_[i]) {
      pids_[i] = 0;
      return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

std::optional<nlohmann::json> ProcessDevnet::call(int i, const std::string& method,
                                                  const nlohmann::json& params, int timeout_ms) {
  wallet::RpcClient client("127.0.0.1:" + std::to_string(rpc_ports_.at(i)));
  auto reply = client.call(method, params, timeout_ms);
  if (!reply) return std::nullopt;
  if (reply->ok) return nlohmann::json{{"result", reply->result}};
  return nlohmann::json{{"error",
                         {{"code", reply->error_code},
                          {"message", reply->error_message},
                          {"data", reply->error_data}}}};
}

int ProcessDevnet::leader(int timeout_ms) {
  uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_ms);
  while (now_ms() < deadline) {
    for (int i = 0; i < size(); ++i) {
      if (!running(i)) continue;
      auto r = call(i, "node_status", nlohmann::json::object(), 1000);
      if (r && r->contains("result") && (*r)["result"]["role"] == "leader") return i;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

bool ProcessDevnet::wait_ready(int i, int timeout_ms) {
  uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_ms);
  while (now_ms() < deadline) {
    auto r = call(i, "node_status", nlohmann::json::object(), 1000);
    if (r && r->contains("result")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool ProcessDevnet::wait_height(int i, uint64_t h, int timeout_ms) {
  // API.md bounds one wait at 30 s: wait in steps.
  uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_ms);
  while (now_ms() < deadline) {
    int step = static_cast<int>(std::min<uint64_t>(deadline - now_ms(), 30000));
    auto r =
        call(i, "block_get", {{"height", h}, {"min_height", h}, {"timeout_ms", step}}, step + 2000);
    if (r && r->contains("result")) return true;
    if (!r) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

ledger::Tx ProcessDevnet::make(const std::string& signer, ledger::TxType type,
                               ledger::Payload payload) {
  ledger::Tx tx;
  tx.chain_id = chain_id();
  tx.type = type;
  tx.signer = key(signer).pubkey;
  ++nonce_;
  std::memcpy(tx.nonce.data(), &nonce_, sizeof(nonce_));
  uint64_t salt = now_ms() ^ static_cast<uint64_t>(::getpid());
  std::memcpy(tx.nonce.data() + 8, &salt, sizeof(salt));
  tx.expires_at = now_ms() + 600000;
  tx.payload = std::move(payload);
  ledger::sign_tx(tx, key(signer).seed);
  return tx;
}

namespace {

// Directories handed out by temp_dir during the running test suite: removed
// when the suite passes (a 3-node devnet holds ~450 MiB of preallocated
// RocksDB logs), kept for inspection when it fails.
std::mutex g_temp_dirs_mu;
std::vector<std::string> g_temp_dirs;

class TempDirCleaner final : public ::testing::EmptyTestEventListener {
  void OnTestSuiteEnd(const ::testing::TestSuite& suite) override {
    std::vector<std::string> dirs;
    {
      std::lock_guard lock(g_temp_dirs_mu);
      dirs.swap(g_temp_dirs);
    }
    for (const auto& d : dirs) {
      std::error_code ec;
      if (suite.Passed()) {
        std::filesystem::remove_all(d, ec);
      } else if (std::filesystem::exists(d, ec)) {
        std::fprintf(stderr, "kept %s for inspection\n", d.c_str());
      }
    }
  }
};

const bool g_temp_dir_cleaner = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new TempDirCleaner);
  return true;
}();

}  // namespace

std::string temp_dir(const std::string& name) {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("suanli-it-" + name + "-" + std::to_string(::getpid())))
                        .string();
  std::lock_guard lock(g_temp_dirs_mu);
  g_temp_dirs.push_back(dir);
  return dir;
}

nlohmann::json tx_json(const ledger::Tx& tx) { return nlohmann::json::parse(tx.canonical); }

// Submits with wait: committed; returns the hash when the node acknowledged
// the transaction as committed with an ok result.
std::optional<std::string> submit_committed(ProcessDevnet& d, int node, const ledger::Tx& tx,
                                            int timeout_ms) {
  auto r = d.call(node, "tx_submit",
                  {{"tx", tx_json(tx)}, {"wait", "committed"}, {"timeout_ms", timeout_ms}},
                  timeout_ms + 3000);
  if (!r || !r->contains("result")) return std::nullopt;
  const auto& res = (*r)["result"];
  if (res.value("status", "") != "committed") return std::nullopt;
  return res["tx_hash"].get<std::string>();
}

uint64_t height_of(ProcessDevnet& d, int node) {
  auto r = d.call(node, "node_status", nlohmann::json::object());
  return r && r->contains("result") ? (*r)["result"]["height"].get<uint64_t>() : 0;
}

// Waits until all running nodes report the same height and state hash.
bool converge(ProcessDevnet& d, int timeout_ms, std::string* hash) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::set<std::pair<uint64_t, std::string>> seen;
    for (int i = 0; i < d.size(); ++i) {
      auto r = d.call(i, "node_status", nlohmann::json::object(), 2000);
      if (!r || !r->contains("result")) {
        seen.insert({0, "down"});
        continue;
      }
      seen.insert({(*r)["result"]["height"].get<uint64_t>(),
                   (*r)["result"]["state_hash"].get<std::string>()});
    }
    if (seen.size() == 1 && seen.begin()->first > 0) {
      *hash = seen.begin()->second;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

CommandResult run_suanlid(const std::string& args, const std::string& env) {
  const std::string cmd = (env.empty() ? "" : "env " + env + " ") + SUANLI_BUILD_DIR +
                          "/node/suanlid " + args + " 2>&1";
  CommandResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace suanli::testing
