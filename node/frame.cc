// Peer frame codec (see frame.h for the wire format).
#include "node/frame.h"

#include <sodium.h>

#include "common/assert.h"
#include "ledger/codec.h"

namespace suanli::node {
namespace {

static_assert(crypto_aead_chacha20poly1305_ietf_KEYBYTES == std::tuple_size_v<SessionKey>);
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == kFrameTagBytes);
static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == 12);
static_assert(kTxBatchTxBytesMax == ledger::kTxBytesMax);

using Nonce = std::array<uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES>;

Nonce nonce_of(uint64_t counter) {
  Nonce n{};
  for (int i = 0; i < 8; ++i) n[11 - i] = static_cast<uint8_t>(counter >> (8 * i));
  return n;
}

void put_header(uint8_t* out, uint32_t v) {
  out[0] = static_cast<uint8_t>(v >> 24);
  out[1] = static_cast<uint8_t>(v >> 16);
  out[2] = static_cast<uint8_t>(v >> 8);
  out[3] = static_cast<uint8_t>(v);
}

uint32_t get_header(const uint8_t* in) {
  return (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) |
         uint32_t{in[3]};
}

}  // namespace

FrameSealer::~FrameSealer() { sodium_memzero(key_.data(), key_.size()); }

void FrameSealer::seal(std::string_view plaintext, std::string* out) {
  SUANLI_ASSERT(plaintext.size() <= kFrameBytesMax);
  // 2^64 frames cannot be sent in practice; refusing to wrap keeps nonces unique.
  SUANLI_ASSERT(counter_ != UINT64_MAX);
  const size_t clen = plaintext.size() + kFrameTagBytes;
  const size_t at = out->size();
  out->resize(at + kFrameHeaderBytes + clen);
  auto* header = reinterpret_cast<uint8_t*>(out->data() + at);
  put_header(header, static_cast<uint32_t>(clen));
  Nonce nonce = nonce_of(counter_++);
  unsigned long long written = 0;
  int rc = crypto_aead_chacha20poly1305_ietf_encrypt(
      header + kFrameHeaderBytes, &written,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), header,
      kFrameHeaderBytes, nullptr, nonce.data(), key_.data());
  SUANLI_ASSERT(rc == 0);
  SUANLI_ASSERT(written == clen);
}

FrameOpener::~FrameOpener() { sodium_memzero(key_.data(), key_.size()); }

std::optional<size_t> FrameOpener::body_bytes(const uint8_t* header) {
  const size_t len = get_header(header);
  if (len < kFrameTagBytes || len > kFrameCiphertextBytesMax) return std::nullopt;
  return len;
}

bool FrameOpener::open(const uint8_t* header, std::string_view body, std::string* plaintext) {
  auto announced = body_bytes(header);
  if (!announced || *announced != body.size()) return false;
  if (counter_ == UINT64_MAX) return false;
  plaintext->resize(body.size() - kFrameTagBytes);
  Nonce nonce = nonce_of(counter_);
  unsigned long long written = 0;
  int rc = crypto_aead_chacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plaintext->data()), &written, nullptr,
      reinterpret_cast<const unsigned char*>(body.data()), body.size(), header, kFrameHeaderBytes,
      nonce.data(), key_.data());
  if (rc != 0) {
    plaintext->clear();
    return false;
  }
  SUANLI_ASSERT(written == plaintext->size());
  ++counter_;
  return true;
}

void append_tx_batch(const std::vector<std::string_view>& txs, std::string* out) {
  SUANLI_ASSERT(!txs.empty() && txs.size() <= kTxBatchTxsMax);
  uint8_t n[4];
  put_header(n, static_cast<uint32_t>(txs.size()));
  out->append(reinterpret_cast<const char*>(n), sizeof(n));
  for (std::string_view tx : txs) {
    SUANLI_ASSERT(tx.size() <= kTxBatchTxBytesMax);
    put_header(n, static_cast<uint32_t>(tx.size()));
    out->append(reinterpret_cast<const char*>(n), sizeof(n));
    out->append(tx);
  }
}

std::optional<std::vector<std::string_view>> decode_tx_batch(std::string_view body) {
  auto u32 = [&](uint32_t& v) {
    if (body.size() < 4) return false;
    v = get_header(reinterpret_cast<const uint8_t*>(body.data()));
    body.remove_prefix(4);
    return true;
  };
  uint32_t count = 0;
  if (!u32(count) || count == 0 || count > kTxBatchTxsMax) return std::nullopt;
  std::vector<std::string_view> txs;
  txs.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = 0;
    if (!u32(len) || len > kTxBatchTxBytesMax || len > body.size()) return std::nullopt;
    txs.push_back(body.substr(0, len));
    body.remove_prefix(len);
  }
  if (!body.empty()) return std::nullopt;
  return txs;
}

}  // namespace suanli::node
