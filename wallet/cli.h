// suanli-wallet's command-line layer (API.md "Command line").
//
//   suanli-wallet [--node URL] [--keystore DIR] [--password-file FILE] [--json]
//                 COMMAND [ARGS] [FLAGS]
//
// Exit status: 0 on success, 1 when the ledger rejected the transaction, the
// node returned an error or could not be reached (or a key could not be
// unlocked), 2 for bad usage. Every command reports what went wrong on stderr,
// naming the flag or argument at fault.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "wallet/keystore.h"
#include "wallet/rpc_client.h"

namespace suanli::wallet {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// Thrown inside the CLI and caught by run_wallet, which prints it and
// returns its exit code. Never crosses the CLI's boundary.
struct CliError : std::runtime_error {
  CliError(int code, const std::string& message) : std::runtime_error(message), exit_code(code) {}
  int exit_code;
};
[[noreturn]] void usage_error(const std::string& message);
[[noreturn]] void failure(const std::string& message);

struct GlobalOptions {
  std::string node;           // --node, else $SUANLI_NODE, else http://127.0.0.1:8645
  std::string keystore;       // --keystore, else $SUANLI_KEYSTORE, else ~/.suanli/keystore
  std::string password_file;  // --password-file
  bool json = false;          // --json
};

class Context {
 public:
  explicit Context(GlobalOptions options);

  const GlobalOptions& options() const { return options_; }
  bool json() const { return options_.json; }
  const Keystore& keystore() const { return keystore_; }

  // A JSON-RPC call; a transport failure or a JSON-RPC error is a CliError
  // (exit 1) naming the method and the error, unless `allow_error`.
  RpcReply call(const std::string& method, const nlohmann::json& params,
                bool allow_error = false) const;
  // The keystore password: --password-file, $SUANLI_WALLET_PASSWORD, or a
  // prompt on the terminal (twice when `confirm`).
  std::string password(bool confirm) const;
  // Decrypts a key by name.
  ledger::KeyPair unlock(const std::string& name) const;
  // A 64-hex public key, or the name of a key in the keystore.
  PubKey resolve_party(const std::string& flag, const std::string& text) const;
  // A participant's ledger name for display (or a short pubkey), cached.
  std::string party_name(const std::string& pubkey_hex) const;

 private:
  GlobalOptions options_;
  Keystore keystore_;
  RpcClient rpc_;
  mutable std::map<std::string, std::string> names_;
};

// Parses a command's own arguments; errors are usage errors (exit 2). Prints
// `desc` and returns false for --help.
bool parse_args(const std::vector<std::string>& args, const std::string& usage,
                const boost::program_options::options_description& desc,
                const std::vector<std::string>& positional,
                boost::program_options::variables_map& vm);

void print_json(const nlohmann::json& j);

using Handler = std::function<int(Context&, const std::vector<std::string>&)>;
struct Command {
  std::vector<std::string> words;
  std::string summary;
  Handler run;
};
void add_key_commands(std::vector<Command>& out);
void add_tx_commands(std::vector<Command>& out);
void add_query_commands(std::vector<Command>& out);

int run_wallet(int argc, char** argv);

}  // namespace suanli::wallet
