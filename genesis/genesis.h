// Genesis document: strict parsing, validation, canonical form and hash
// (API.md "Genesis").
//
// A genesis that parses here is one every node can run: each field is checked
// against API.md's rules and a failure names the field, as in
// "voucher_programs[1].rate_bps: must be 1..10000" (Status code
// "invalid_genesis"). The genesis hash is
// BLAKE2b-256("suanli-genesis-v1\n" + JCS(document)), so whitespace, member
// order and string escapes of the file do not change it.
//
// Pure functions; thread-safe. ledger::crypto_init() must have been called.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "ledger/types.h"

namespace suanli::genesis {

inline constexpr std::string_view kGenesisHashPrefix = "suanli-genesis-v1\n";

// Parses and validates a genesis document; fills Genesis::hash.
Result<ledger::Genesis> parse_genesis(std::string_view json_text);
// Reads a genesis file (at most kGenesisFileBytesMax) and parses it.
Result<ledger::Genesis> load_genesis(const std::string& path);

// The document of a genesis: parse_genesis(genesis_to_json(g).dump()) gives g back.
nlohmann::json genesis_to_json(const ledger::Genesis& g);
// BLAKE2b-256("suanli-genesis-v1\n" + JCS(genesis_to_json(g))).
Hash32 genesis_hash(const ledger::Genesis& g);

// Field rules shared with the node configuration and devnet.
// chain_id: 1-64 printable ASCII characters, space excluded.
bool is_chain_id(std::string_view s);
// node_id: 1-64 characters of [A-Za-z0-9._-].
bool is_node_id(std::string_view s);
// "host:port": host a DNS name, IPv4 address or bracketed IPv6 address; port 1..65535.
bool is_host_port(std::string_view s);

}  // namespace suanli::genesis
