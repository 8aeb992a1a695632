#include "common/random.h"

#include <sodium.h>

#include "common/assert.h"

namespace suanli {

std::array<uint8_t, 32> random_seed32() {
  // sodium_init is idempotent and thread-safe; randombytes needs it first.
  SUANLI_ASSERT(sodium_init() >= 0);
  std::array<uint8_t, 32> seed{};
  randombytes_buf(seed.data(), seed.size());
  return seed;
}

}  // namespace suanli
