#include "node/keyed_hash.h"

#include <sodium.h>

#include <cstring>

#include "common/random.h"

namespace suanli::node {

size_t keyed_hash(std::string_view bytes) {
  // Drawn once per process from the OS (SipHash takes the first 16 bytes).
  static const std::array<uint8_t, 32> key = random_seed32();
  static_assert(crypto_shorthash_KEYBYTES <= sizeof(key));
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                   key.data());
  uint64_t h;
  std::memcpy(&h, out, sizeof(h));
  return static_cast<size_t>(h);
}

}  // namespace suanli::node
