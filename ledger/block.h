// Blocks (API.md "Blocks"): header, Merkle root, hash, binary encoding.
//
// One Raft entry carries one encoded Block. The stored form (blocks column
// family) keeps the header, the transaction hashes, the hashes rejected for
// their signatures and the proposer's signature; each transaction's canonical
// JSON is stored under its (height, index).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"

namespace suanli::ledger {

inline constexpr std::string_view kBlockHashPrefix = "suanli-block-v1\n";

struct BlockHeader {
  uint64_t height = 0;
  Hash32 prev_hash{};
  uint64_t time = 0;
  std::string proposer;  // node_id
  Hash32 tx_root{};
  uint64_t state_height = 0;
  Hash32 state_hash{};
  uint64_t tx_count = 0;

  nlohmann::json to_json() const;  // hashes as hex
  Hash32 hash() const;             // BLAKE2b-256("suanli-block-v1\n" + JCS(to_json()))
};

struct Block {
  BlockHeader header;
  std::vector<std::string> txs;  // canonical JSON of each transaction, signature included
  Sig64 signature{};             // the proposer's node key over the 32 bytes of header.hash()
};

// Merkle root of transaction hashes: leaf = H(0x00 || hash), inner =
// H(0x01 || left || right), an odd node carried up, no transactions = zeros.
Hash32 merkle_root(const std::vector<Hash32>& tx_hashes);

// Binary encoding for Raft entries. decode_block bounds every length by the
// input and returns nullopt on malformed input.
std::string encode_block(const Block& b);
std::optional<Block> decode_block(std::string_view in, size_t max_txs);

// What the blocks column family keeps per height.
struct BlockRecord {
  BlockHeader header;
  Hash32 hash{};
  std::vector<Hash32> tx_hashes;
  std::vector<Hash32> rejected;  // signature failed
  Sig64 signature{};
};
std::string encode_block_record(const BlockRecord& r);
std::optional<BlockRecord> decode_block_record(std::string_view in);

namespace keys {
std::string block(uint64_t height);
std::string block_tx(uint64_t height, uint32_t index);
}  // namespace keys

}  // namespace suanli::ledger
