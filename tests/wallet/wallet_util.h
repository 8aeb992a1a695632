// Helpers for the wallet tests: running the built suanli-wallet, and one
// devnet of real suanlid processes shared by every test of the binary.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/process_util.h"

namespace suanli::wallet::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;              // stdout
  std::string err;              // stderr
  nlohmann::json json() const;  // stdout parsed (null when it is not JSON)
};

// Runs the binary with `args` (no shell), stdin from `input`.
RunResult run_binary(const std::string& path, const std::vector<std::string>& args,
                     const std::string& input = "");

// A fresh temporary directory (removed at exit of the test binary).
std::string temp_dir(const std::string& name);

// A one-node devnet whose participant keys were imported, with `key import`,
// into a keystore (password in a 0600 file). Created on first use.
class WalletNet {
 public:
  static WalletNet& get();

  // suanli-wallet --node URL --keystore DIR --password-file FILE ARGS...
  RunResult wallet(const std::vector<std::string>& args, const std::string& input = "") const;
  // As wallet(), but a transaction with --wait that must succeed.
  ::testing::AssertionResult ok(const std::vector<std::string>& args) const;

  suanli::testing::ProcessDevnet& devnet() { return *devnet_; }
  const std::string& keystore() const { return keystore_; }
  const std::string& password_file() const { return password_file_; }
  std::string url() const;
  // A JSON-RPC result (fails the test on error).
  nlohmann::json rpc(const std::string& method, const nlohmann::json& params);
  std::string pubkey(const std::string& name) const;
  // A completed contract of `qty` card-hours at ¥10.00 from bj-ai with gz-supercomputing.
  std::string completed_contract(uint64_t qty);

 private:
  WalletNet();
  std::unique_ptr<suanli::testing::ProcessDevnet> devnet_;
  std::string dir_, keystore_, password_file_;
};

std::string wallet_binary();
std::string random_hex(size_t bytes);

}  // namespace suanli::wallet::testing
