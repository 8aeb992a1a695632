#include "node/keyed_hash.h"

#include <sodium.h>

#include <cstring>

#include "common/assert.h"

namespace suanli::node {
namespace {
const unsigned char* process_key() {
  static const auto key = [] {
    SUANLI_ASSERT(sodium_init() >= 0);
    std::array<unsigned char, crypto_shorthash_KEYBYTES> k{};
    crypto_shorthash_keygen(k.data());
    return k;
  }();
  return key.data();
}
}  // namespace

size_t keyed_hash(std::string_view bytes) {
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                   process_key());
  uint64_t h;
  std::memcpy(&h, out, sizeof(h));
  return static_cast<size_t>(h);
}

}  // namespace suanli::node
