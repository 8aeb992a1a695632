// libsodium wrappers: BLAKE2b-256 and Ed25519.
#include "ledger/crypto.h"

#include <sodium.h>

#include <cstring>

#include "common/assert.h"

namespace suanli::ledger {
namespace {

static_assert(sizeof(crypto_generichash_state) <= 384,
              "Blake2b::state_ is too small for libsodium's state");
static_assert(alignof(crypto_generichash_state) <= 64,
              "Blake2b::state_ is not aligned enough for libsodium's state");
static_assert(crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_SEEDBYTES == 32 && crypto_sign_BYTES == 64);
static_assert(crypto_generichash_BYTES_MIN <= 32 && crypto_generichash_BYTES_MAX >= 32);

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

crypto_generichash_state* state_of(unsigned char* buffer) {
  return reinterpret_cast<crypto_generichash_state*>(buffer);
}

}  // namespace

void crypto_init() {
  // sodium_init is thread-safe and returns 1 when already initialised.
  int rc = sodium_init();
  SUANLI_ASSERT_MSG(rc >= 0, "libsodium initialisation failed");
}

Hash32 blake2b256(std::string_view data) {
  Hash32 out{};
  int rc = crypto_generichash(out.data(), out.size(), bytes_of(data), data.size(), nullptr, 0);
  SUANLI_ASSERT(rc == 0);
  return out;
}

Blake2b::Blake2b() {
  std::memset(state_, 0, sizeof(state_));
  int rc = crypto_generichash_init(state_of(state_), nullptr, 0, 32);
  SUANLI_ASSERT(rc == 0);
}

void Blake2b::update(std::string_view data) {
  int rc = crypto_generichash_update(state_of(state_), bytes_of(data), data.size());
  SUANLI_ASSERT(rc == 0);
}

Hash32 Blake2b::finish() {
  Hash32 out{};
  int rc = crypto_generichash_final(state_of(state_), out.data(), out.size());
  SUANLI_ASSERT_MSG(rc == 0, "Blake2b::finish called twice");
  return out;
}

KeyPair keypair_from_seed(const std::array<uint8_t, 32>& seed) {
  KeyPair key;
  key.seed = seed;
  int rc = crypto_sign_seed_keypair(key.pubkey.data(), key.secret.data(), seed.data());
  SUANLI_ASSERT(rc == 0);
  return key;
}

Sig64 ed25519_sign(const KeyPair& key, std::string_view message) {
  Sig64 sig{};
  unsigned long long sig_size = 0;
  int rc = crypto_sign_detached(sig.data(), &sig_size, bytes_of(message), message.size(),
                                key.secret.data());
  SUANLI_ASSERT(rc == 0);
  SUANLI_ASSERT(sig_size == sig.size());
  return sig;
}

bool ed25519_verify(const PubKey& pubkey, const Sig64& sig, std::string_view message) {
  return crypto_sign_verify_detached(sig.data(), bytes_of(message), message.size(),
                                     pubkey.data()) == 0;
}

}  // namespace suanli::ledger
