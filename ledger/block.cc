#include "ledger/block.h"

#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "ledger/encoding.h"
#include "ledger/kv.h"

namespace suanli::ledger {
namespace {
constexpr uint8_t kBlockVersion = 1;

void write_header(Writer& w, const BlockHeader& h) {
  w.u64(h.height);
  w.fixed(h.prev_hash);
  w.u64(h.time);
  w.str(h.proposer);
  w.fixed(h.tx_root);
  w.u64(h.state_height);
  w.fixed(h.state_hash);
  w.u64(h.tx_count);
}

bool read_header(Reader& r, BlockHeader& h) {
  return r.u64(h.height) && r.fixed(h.prev_hash) && r.u64(h.time) && r.str(h.proposer) &&
         h.proposer.size() <= 64 && r.fixed(h.tx_root) && r.u64(h.state_height) &&
         r.fixed(h.state_hash) && r.u64(h.tx_count);
}

void write_hashes(Writer& w, const std::vector<Hash32>& v) {
  w.u32(static_cast<uint32_t>(v.size()));
  for (const auto& h : v) w.fixed(h);
}

bool read_hashes(Reader& r, std::vector<Hash32>& v) {
  uint32_t n = 0;
  if (!r.count(n, 32)) return false;
  v.assign(n, Hash32{});
  for (auto& h : v) {
    if (!r.fixed(h)) return false;
  }
  return true;
}
}  // namespace

nlohmann::json BlockHeader::to_json() const {
  return nlohmann::json{{"height", height},
                        {"prev_hash", to_hex(prev_hash)},
                        {"time", time},
                        {"proposer", proposer},
                        {"tx_root", to_hex(tx_root)},
                        {"state_height", state_height},
                        {"state_hash", to_hex(state_hash)},
                        {"tx_count", tx_count}};
}

Hash32 BlockHeader::hash() const {
  std::string msg(kBlockHashPrefix);
  msg += jcs(to_json());
  return blake2b256(msg);
}

Hash32 merkle_root(const std::vector<Hash32>& tx_hashes) {
  if (tx_hashes.empty()) return Hash32{};
  std::vector<Hash32> level;
  level.reserve(tx_hashes.size());
  for (const auto& h : tx_hashes) {
    std::string leaf(1, '\0');
    leaf.append(as_view(h));
    level.push_back(blake2b256(leaf));
  }
  while (level.size() > 1) {
    std::vector<Hash32> next;
    next.reserve((level.size() + 1) / 2);
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      std::string inner(1, '\1');
      inner.append(as_view(level[i]));
      inner.append(as_view(level[i + 1]));
      next.push_back(blake2b256(inner));
    }
    if (level.size() % 2 == 1) next.push_back(level.back());
    level = std::move(next);
  }
  return level[0];
}

std::string encode_block(const Block& b) {
  Writer w;
  w.u8(kBlockVersion);
  write_header(w, b.header);
  w.u32(static_cast<uint32_t>(b.txs.size()));
  for (const auto& tx : b.txs) w.str(tx);
  w.fixed(b.signature);
  return w.take();
}

std::optional<Block> decode_block(std::string_view in, size_t max_txs) {
  Reader r(in);
  uint8_t version = 0;
  Block b;
  if (!r.u8(version) || version != kBlockVersion || !read_header(r, b.header)) return std::nullopt;
  uint32_t n = 0;
  if (!r.count(n, 4) || n > max_txs || n != b.header.tx_count) return std::nullopt;
  b.txs.resize(n);
  for (auto& tx : b.txs) {
    if (!r.str(tx) || tx.size() > kTxBytesMax) return std::nullopt;
  }
  if (!r.fixed(b.signature) || !r.done()) return std::nullopt;
  return b;
}

std::string encode_block_record(const BlockRecord& rec) {
  Writer w;
  w.u8(kBlockVersion);
  write_header(w, rec.header);
  w.fixed(rec.hash);
  write_hashes(w, rec.tx_hashes);
  write_hashes(w, rec.rejected);
  w.fixed(rec.signature);
  return w.take();
}

std::optional<BlockRecord> decode_block_record(std::string_view in) {
  Reader r(in);
  uint8_t version = 0;
  BlockRecord rec;
  if (!r.u8(version) || version != kBlockVersion || !read_header(r, rec.header) ||
      !r.fixed(rec.hash) || !read_hashes(r, rec.tx_hashes) || !read_hashes(r, rec.rejected) ||
      !r.fixed(rec.signature) || !r.done()) {
    return std::nullopt;
  }
  return rec;
}

namespace keys {
std::string block(uint64_t height) {
  std::string k;
  k.push_back(kCfBlocks);
  k.push_back('h');
  put_u64_be(k, height);
  return k;
}
std::string block_tx(uint64_t height, uint32_t index) {
  std::string k;
  k.push_back(kCfBlocks);
  k.push_back('t');
  put_u64_be(k, height);
  put_u32_be(k, index);
  return k;
}
}  // namespace keys

}  // namespace suanli::ledger
