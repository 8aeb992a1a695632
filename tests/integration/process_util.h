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

class ProcessDevnet {
 public:
  ProcessDevnet(int nodes, const std::string& dir);
  ~ProcessDevnet();

  void start(int i);
  // Extra command-line arguments for every node started from now on.
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }
  // Starts every node and waits until each answers and one leads; false
  // (with the logs to look at) otherwise.
  ::testing::AssertionResult start_all(int timeout_ms = 10000);
  void kill9(int i);
  void terminate(int i);  // SIGTERM and wait
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
  uint64_t nonce_ = 0;
  std::vector<std::string> extra_args_;
};

}  // namespace suanli::testing
