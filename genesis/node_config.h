// Node configuration file and Ed25519 key files (API.md "Node configuration
// and keys").
//
// A key file is JSON {"pubkey": "<64 hex>", "seed": "<64 hex>"}, mode 0600; the
// same format serves node keys and the demo participant keys written by
// `suanli-genesis devnet`. Loading refuses a key file that group or others may
// access, and one whose pubkey is not the seed's.
//
// Functions here do file I/O but keep no state; thread-safe.
// ledger::crypto_init() must have been called.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "ledger/crypto.h"
#include "ledger/types.h"

namespace suanli::genesis {

struct NodeConfig {
  std::string node_id;
  // Paths, made absolute against the config file's directory when relative.
  std::string data_dir;
  std::string genesis;
  std::string key_file;
  std::string listen;              // host:port the node binds for peers
  std::string rpc;                 // host:port of JSON-RPC
  std::string rpc_token;           // "" when absent
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
};

// Errors: "io_error" (cannot read) or "invalid_config" (naming the field).
Result<NodeConfig> load_node_config(const std::string& path);
// Parses config text; relative paths are resolved against `base_dir`.
Result<NodeConfig> parse_node_config(std::string_view json_text, const std::string& base_dir);

using NodeKey = ledger::KeyPair;

// The node's identity in the genesis (API.md: the `nodes` entry whose pubkey is
// the node's key): that entry, or nullopt for a joiner whose key is not listed.
// Refused ("invalid_config"): a listed key under another node_id, or a joiner
// claiming a node_id that the genesis gives to another key.
Result<std::optional<ledger::GenesisNode>> genesis_identity(const ledger::Genesis& genesis,
                                                            const NodeConfig& config,
                                                            const PubKey& node_pubkey);

// Errors: "io_error", "insecure_key_file" (mode allows group/others access),
// "invalid_key" (bad JSON, bad hex, pubkey not the seed's).
Result<NodeKey> load_node_key(const std::string& path);
// The checks of load_node_key on a key file's text ("invalid_key"); `path`
// only labels errors.
Result<NodeKey> parse_node_key(std::string_view text, const std::string& path);
// Writes a new key file with mode 0600 and syncs it; refuses to replace an
// existing file ("io_error").
Status write_node_key(const std::string& path, const NodeKey& key);

}  // namespace suanli::genesis
