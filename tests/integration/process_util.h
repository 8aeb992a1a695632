// A devnet of real suanlid processes for multi-process tests: spawn, kill -9,
// restart, and JSON-RPC over HTTP on 127.0.0.1.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "genesis/devnet.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"

namespace suanli::testing {

// A base port whose next 16 ports are free now.
uint16_t free_port_block();

class ProcessDevnet {
 public:
  ProcessDevnet(int nodes, const std::string& dir);
  ~ProcessDevnet();

  void start(int i);
  // Adds a node whose key is new (not in the genesis): a key file and a
  // config like the others', on free ports; start(i) runs it. Returns i.
  int add_outsider(const std::string& node_id);
  // The peer port node i listens on.
  uint16_t peer_port(int i) const;
  // Extra command-line arguments for every node started from now on.
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }
  // Environment variables ("NAME=value") added for node i's next starts.
  void set_env(int i, std::vector<std::string> env) { env_[i] = std::move(env); }
  // Starts every node and waits until each answers and one leads; false
  // (with the logs to look at) otherwise.
  ::testing::AssertionResult start_all(int timeout_ms = 10000);
  void kill9(int i);
  void terminate(int i);  // SIGTERM and wait
  // Waits for node i to exit by itself: its exit status (-1 when killed by a
  // signal), or nullopt if it still runs after `timeout_ms`.
  std::optional<int> wait_exit(int i, int timeout_ms);
  bool running(int i) const { return pids_.at(i) > 0; }
  int size() const { return static_cast<int>(devnet_.nodes.size()); }

  // JSON-RPC call; the whole response object (with "result" or "error"), or
  // nullopt when the node did not answer.
  std::optional<nlohmann::json> call(int i, const std::string& method,
                                     const nlohmann::json& params, int timeout_ms = 10000);
  // Index of the node that reports itself leader, or -1.
  int leader(int timeout_ms);
  bool wait_ready(int i, int timeout_ms);
  // Waits for node i to reach height h.
  bool wait_height(int i, uint64_t h, int timeout_ms);

  const ledger::KeyPair& key(const std::string& name) const { return keys_.at(name); }
  const genesis::DevnetResult& devnet() const { return devnet_; }
  std::string chain_id() const { return devnet_.genesis.chain_id; }
  ledger::Tx make(const std::string& signer, ledger::TxType type, ledger::Payload payload);
  std::string log_path(int i) const;

 private:
  std::string dir_;
  genesis::DevnetResult devnet_;
  std::map<std::string, ledger::KeyPair> keys_;
  std::vector<pid_t> pids_;
  std::vector<uint16_t> rpc_ports_;
  uint16_t base_port_ = 0;
  uint64_t nonce_ = 0;
  std::vector<std::string> extra_args_;
  std::map<int, std::vector<std::string>> env_;
};

struct CommandResult {
  int status = -1;     // exit status, -1 when killed by a signal
  std::string output;  // stdout and stderr together
};
// Runs `ENV suanlid ARGS` (through the shell) to completion; `env` is
// variable assignments such as "A=1 B=2", or empty.
CommandResult run_suanlid(const std::string& args, const std::string& env = "");

// A fresh directory name under the system temp dir, unique to this process.
std::string temp_dir(const std::string& name);
nlohmann::json tx_json(const ledger::Tx& tx);
// Submits with wait: committed; returns the hash when the node acknowledged
// the transaction as committed.
std::optional<std::string> submit_committed(ProcessDevnet& d, int node, const ledger::Tx& tx,
                                            int timeout_ms = 5000);
uint64_t height_of(ProcessDevnet& d, int node);
// Waits until all running nodes report the same height and state hash.
bool converge(ProcessDevnet& d, int timeout_ms, std::string* hash);

}  // namespace suanli::testing
