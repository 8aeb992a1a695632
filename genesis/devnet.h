// A local development network: genesis, node keys and configs, and demo
// participant keys (`suanli-genesis devnet`, API.md "Command line").
//
// Layout written under `out_dir` (which must be absent or empty):
//   genesis.json                  the genesis document
//   <node_id>.key.json            node key (0600)
//   <node_id>.json                node config (0600: it holds the rpc_token)
//   keystore/<name>.json          participant keys, encrypted wallet keystores
//                                 (0600; wallet/keystore.h)
//   keystore-password.DEMO-ONLY.txt  their password (0600): a devnet is a demo,
//                                 never put real money behind these keys
// With clear_participant_keys (tests only) the participant keys are written
// instead in the clear as keys/<name>.key.json (the node key format, 0600).
// Nodes are gz-1, gz-2, bj-1, gz-3, gz-4, bj-2, ... (two Guizhou nodes for
// each Beijing one). Node i (1-based) listens for peers on
// 127.0.0.1:(base_port + i) (7601, 7602, ...) and serves JSON-RPC on
// 127.0.0.1:(rpc_base_port + i) (8645, 8646, ...: node 1 has API.md's
// default RPC port). Its data_dir is data/<node_id>, relative to the config.
//
// Not thread-safe with respect to `out_dir`; keys come from libsodium's RNG.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "ledger/types.h"

namespace suanli::genesis {

inline constexpr int kDevnetNodesMax = 32;

struct DevnetOptions {
  int nodes = 3;
  std::string out_dir;
  std::string chain_id = "suanli-devnet";
  uint16_t base_port = 7600;
  uint16_t rpc_base_port = 8644;
  uint64_t genesis_time = 0;  // ms since the epoch; 0 means now, rounded to ms
  // Tests only: clear key files instead of keystores (no Argon2id cost).
  bool clear_participant_keys = false;
};

inline constexpr const char* kDevnetKeystoreDir = "keystore";
inline constexpr const char* kDevnetPasswordFile = "keystore-password.DEMO-ONLY.txt";

// A demo participant: its keystore is keystore/<key_name>.json.
struct DevnetParticipant {
  std::string key_name;
  ledger::GenesisParticipant participant;
};

struct DevnetNode {
  std::string node_id;
  std::string config_path;
  std::string listen;
  std::string rpc;
};

struct DevnetResult {
  ledger::Genesis genesis;
  std::string genesis_path;
  std::vector<DevnetNode> nodes;
  std::vector<DevnetParticipant> participants;
};

// Checks the options ("invalid_argument"), refuses a non-empty out_dir
// ("already_exists"), then writes everything ("io_error").
Result<DevnetResult> write_devnet(const DevnetOptions& options);

// A base port in [lo, lo + 16 × blocks) whose next 16 ports are free on
// 127.0.0.1 now (for a devnet's peer and RPC ports), or nullopt. `seed`
// spreads concurrent callers over the range. Keep the range below the
// kernel's ephemeral ports (32768 and up on Linux), which outgoing
// connections take and leave in TIME_WAIT.
std::optional<uint16_t> free_port_block(uint16_t lo, uint16_t blocks, uint32_t seed);

// "<first17><check>": a credit code with a valid check character.
std::string make_credit_code(std::string_view first17);

}  // namespace suanli::genesis
