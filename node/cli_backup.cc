#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "common/status.h"
#include "genesis/genesis.h"
#include "node/backup.h"
#include "node/cli.h"
#include "node/storage/state_store.h"
#include "wallet/rpc_client.h"

namespace suanli::node_cli {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int fail(const std::string& what) {
  std::cerr << "suanlid: " << what << "\n";
  return kExitFailure;
}

void print(const nlohmann::json& info, bool json, const std::string& headline) {
  if (json) {
    std::cout << info.dump(2) << "\n";
    return;
  }
  std::cout << headline << "\n"
            << "  chain       " << info.value("chain_id", "") << "\n"
            << "  height      " << info.value("height", uint64_t{0}) << "\n"
            << "  state hash  " << info.value("state_hash", "") << "\n"
            << "  raft index  " << info.value("raft_index", uint64_t{0}) << "\n"
            << "  from node   " << info.value("source_node", "") << "\n";
}

// The node is running: ask it for the backup over JSON-RPC.
int backup_online(const genesis::NodeConfig& config, const std::string& dir, bool json) {
  if (config.rpc_token.empty()) {
    return fail(
        "the node is running (its state database is locked); an online backup goes "
        "through admin_backup, which needs rpc_token in the node's config or --rpc-token");
  }
  wallet::RpcClient client(config.rpc);
  client.set_token(config.rpc_token);
  auto reply = client.call("admin_backup", {{"dir", dir}}, 600000);
  if (!reply) {
    return fail("the node's state database is locked by a running node, but its JSON-RPC at " +
                config.rpc + " does not answer: " + reply.status().to_string());
  }
  if (!reply->ok) return fail("admin_backup: " + reply->error_message);
  print(reply->result, json, "backup written by the running node to " + dir);
  return 0;
}

}  // namespace

int run_backup(const po::variables_map& vm, const genesis::NodeConfig& config) {
  if (!vm.count("to")) {
    std::cerr << "suanlid backup: --to DIR is required\n";
    return kExitUsage;
  }
  const std::string dir = fs::absolute(vm["to"].as<std::string>()).lexically_normal().string();
  const bool json = vm.count("json") > 0;
  if (Status s = node::check_backup_target(dir); !s) return fail(s.message());
  std::error_code ec;
  if (!fs::is_directory(config.data_dir, ec)) {
    return fail("no data directory at " + config.data_dir);
  }
  auto gen = genesis::load_genesis(config.genesis);
  if (!gen) return fail("genesis " + config.genesis + ": " + gen.status().to_string());
  const std::string state_dir = node::live_state_dir_of(config.data_dir);
  if (!fs::is_directory(state_dir, ec)) return fail("no state database at " + state_dir);
  auto state = node::StateStore::open(state_dir);
  if (!state) {
    if (state.status().code() == "busy") return backup_online(config, dir, json);
    return fail("cannot open " + state_dir + ": " + state.status().to_string());
  }
  auto info = node::write_backup(
      **state, dir, *gen, config.node_id,
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()));
  if (!info) return fail(info.status().to_string());
  print(info->to_json(), json, "backup of the stopped node written to " + dir);
  return 0;
}

int run_restore(const po::variables_map& vm, const genesis::NodeConfig& config) {
  if (!vm.count("from")) {
    std::cerr << "suanlid restore: --from DIR is required\n";
    return kExitUsage;
  }
  const std::string from = fs::absolute(vm["from"].as<std::string>()).lexically_normal().string();
  auto key = genesis::load_node_key(config.key_file);
  if (!key) return fail("key file " + config.key_file + ": " + key.status().to_string());
  auto gen = genesis::load_genesis(config.genesis);
  if (!gen) return fail("genesis " + config.genesis + ": " + gen.status().to_string());
  const auto now_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  auto info =
      node::restore_backup(from, config.data_dir, *gen, config.node_id, key->pubkey, now_ms);
  if (!info) return fail(info.status().to_string());
  print(info->to_json(), vm.count("json") > 0, "restored into " + config.data_dir);
  if (!vm.count("json")) {
    std::cout << "\nStart the node: it serves reads of this state and joins once regulators\n"
                 "approve it as a new member, e.g.\n"
                 "  suanli-wallet node propose --from REGULATOR --action add_learner --node-id "
              << config.node_id << " --pubkey " << to_hex(key->pubkey)
              << " --address HOST:PORT\n"
                 "  suanli-wallet proposal approve --from OTHER_REGULATOR --proposal TX_HASH\n";
  }
  return 0;
}

}  // namespace suanli::node_cli
