// Peer handshake: mutual Ed25519 authentication and crypto_kx session keys.
//
// Both ends run the same three steps; only the role differs:
//   1. send our hello, a length-prefixed record:
//        magic "suanli-p2p-v1" | genesis hash | node pubkey | ephemeral kx pubkey |
//        u8 node_id length | node_id
//   2. read the peer's hello and check it (magic, genesis, shape, not ourselves;
//      the caller checks the key against the pinned membership), then send a
//      64-byte Ed25519 signature by our node key over
//        "suanli-p2p-v1/sig/" role | BLAKE2b-256(transcript)
//      where the transcript is both hellos, dialer's first, each length-prefixed;
//   3. read the peer's signature and verify it against the key in its hello.
// The transcript holds both ephemeral keys, so each signature proves
// possession of a node key for this session only (no replay, no splicing),
// and the role label stops a signature being reflected back. Session keys
// come from crypto_kx with the dialer as client; every connection draws new
// ephemeral keys, so frame counters may start at zero.
//
// This class does no I/O (the link drives it) and is not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "ledger/crypto.h"
#include "node/frame.h"

namespace suanli::node {

inline constexpr char kHandshakeMagic[] = "suanli-p2p-v1";
inline constexpr size_t kHandshakeMagicBytes = sizeof(kHandshakeMagic) - 1;
inline constexpr size_t kNodeIdBytesMax = 64;
inline constexpr size_t kHelloBytesMax = kHandshakeMagicBytes + 3 * 32 + 1 + kNodeIdBytesMax;
inline constexpr size_t kHelloHeaderBytes = 4;  // u32 big-endian length before a hello
inline constexpr size_t kHandshakeSignatureBytes = 64;

struct Hello {
  std::string node_id;
  Hash32 genesis_hash{};
  PubKey node_key{};
  PubKey kx_key{};  // ephemeral crypto_kx public key
};

std::string encode_hello(const Hello& hello);
// Errors: "bad_hello" (size, magic or node_id shape).
Result<Hello> decode_hello(std::string_view bytes);
// True for 1..kNodeIdBytesMax printable ASCII characters without spaces.
bool valid_node_id(std::string_view node_id);

struct SessionKeys {
  SessionKey rx{};  // opens the peer's frames
  SessionKey tx{};  // seals ours
};

class Handshake {
 public:
  enum class Role { kDialer, kListener };

  // Keeps a copy of `key`, wiped on destruction.
  Handshake(Role role, const ledger::KeyPair& key, std::string node_id, const Hash32& genesis);
  ~Handshake();
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  Role role() const { return role_; }
  // Our hello with its u32 length prefix: the first bytes to send.
  const std::string& hello_record() const { return hello_record_; }
  // Step 2. Errors: "bad_hello", "genesis_mismatch", "self_connection".
  Status read_peer_hello(std::string_view hello);
  // Valid after read_peer_hello succeeded.
  const Hello& peer_hello() const { return peer_; }
  Sig64 signature() const;
  // Step 3: verifies the peer's signature and derives the session keys.
  // Errors: "bad_signature", "bad_kx_key".
  Status read_peer_signature(const Sig64& signature);
  // Valid after read_peer_signature succeeded.
  const SessionKeys& keys() const { return keys_; }

 private:
  std::string signed_message(Role signer) const;

  Role role_;
  ledger::KeyPair key_;
  Hello mine_;
  std::string hello_;         // encoded, without prefix
  std::string hello_record_;  // with prefix
  std::array<uint8_t, 32> kx_secret_{};
  Hello peer_;
  std::string peer_hello_;
  Hash32 transcript_{};
  bool have_peer_ = false;
  SessionKeys keys_;
};

// Reads the u32 length prefix of a hello; nullopt when out of bounds.
std::optional<size_t> hello_bytes(const uint8_t* header);

}  // namespace suanli::node
