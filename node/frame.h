// Peer frame codec: length-prefixed AEAD records on an established link.
//
// Wire format of one frame:
//   u32 big-endian ciphertext length | ChaCha20-Poly1305-IETF ciphertext (+16-byte tag)
// The nonce is a 64-bit counter per direction (4 zero bytes, then the counter
// big-endian), so a key never sees a nonce twice; the length prefix is the
// additional data, so it cannot be altered either. Each session derives fresh
// keys (crypto_kx over ephemeral keys), so counters restart at zero safely.
//
// Thread-safety: none; each sealer and opener belongs to one link's strand.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/transport.h"

namespace suanli::node {

inline constexpr size_t kFrameHeaderBytes = 4;
inline constexpr size_t kFrameTagBytes = 16;
inline constexpr size_t kFrameCiphertextBytesMax = kFrameBytesMax + kFrameTagBytes;
static_assert(kFrameCiphertextBytesMax <= UINT32_MAX, "frame length must fit the u32 prefix");
static_assert(kFrameBytesMax <= kPeerSendQueueBytesMax, "a queue must hold a maximal frame");

using SessionKey = std::array<uint8_t, 32>;

// The first byte of a frame's plaintext: what the rest is (node/raft_loop.cc
// dispatches on it).
// kTx (one transaction) is still read from peers of earlier versions; nodes
// forward in kTxBatch frames.
enum class FrameKind : uint8_t { kRaft = 1, kTx = 2, kSnapFetch = 3, kSnapChunk = 4, kTxBatch = 5 };

// The body of a kTxBatch frame: transactions a follower forwards to the
// leader, as u32 big-endian count, then for each a u32 big-endian length and
// its canonical JSON. At least one, at most kTxBatchTxsMax, each at most
// kTxBatchTxBytesMax bytes.
inline constexpr size_t kTxBatchTxsMax = 4096;
inline constexpr size_t kTxBatchTxBytesMax = 16 * 1024;  // ledger::kTxBytesMax
void append_tx_batch(const std::vector<std::string_view>& txs, std::string* out);
// The transactions (views into `body`), or nullopt when the body is not
// exactly such a list within the bounds.
std::optional<std::vector<std::string_view>> decode_tx_batch(std::string_view body);

// Seals outgoing frames with one direction's key.
class FrameSealer {
 public:
  explicit FrameSealer(const SessionKey& key) : key_(key) {}
  ~FrameSealer();
  FrameSealer(const FrameSealer&) = delete;
  FrameSealer& operator=(const FrameSealer&) = delete;

  // Appends the sealed frame (header + ciphertext) to *out. Requires
  // plaintext.size() <= kFrameBytesMax.
  void seal(std::string_view plaintext, std::string* out);
  uint64_t next_nonce() const { return counter_; }

 private:
  SessionKey key_;
  uint64_t counter_ = 0;
};

// Opens incoming frames with the other direction's key, in order.
class FrameOpener {
 public:
  explicit FrameOpener(const SessionKey& key) : key_(key) {}
  ~FrameOpener();
  FrameOpener(const FrameOpener&) = delete;
  FrameOpener& operator=(const FrameOpener&) = delete;

  // The ciphertext length a header announces, or nullopt when it is out of
  // bounds (shorter than a tag or longer than kFrameCiphertextBytesMax).
  static std::optional<size_t> body_bytes(const uint8_t* header);

  // Authenticates and decrypts one frame body (the bytes after `header`).
  // Returns false on any failure; the link must then be closed, since the
  // counter has not advanced and the stream is no longer trustworthy.
  bool open(const uint8_t* header, std::string_view body, std::string* plaintext);
  uint64_t next_nonce() const { return counter_; }

 private:
  SessionKey key_;
  uint64_t counter_ = 0;
};

}  // namespace suanli::node
