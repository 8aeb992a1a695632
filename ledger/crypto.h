// libsodium wrappers: BLAKE2b-256 and Ed25519.
#pragma once

#include <array>
#include <string_view>

#include "common/bytes.h"

namespace suanli::ledger {

// Must be called once before any other function here (idempotent, thread-safe).
void crypto_init();

Hash32 blake2b256(std::string_view data);

// Incremental BLAKE2b-256.
class Blake2b {
 public:
  Blake2b();
  void update(std::string_view data);
  Hash32 finish();

 private:
  alignas(64) unsigned char state_[384];
};

struct KeyPair {
  PubKey pubkey{};
  std::array<uint8_t, 32> seed{};
  std::array<uint8_t, 64> secret{};  // libsodium's expanded secret key
};
KeyPair keypair_from_seed(const std::array<uint8_t, 32>& seed);

Sig64 ed25519_sign(const KeyPair& key, std::string_view message);
bool ed25519_verify(const PubKey& pubkey, const Sig64& sig, std::string_view message);

}  // namespace suanli::ledger
