// Prng: a small seeded generator (splitmix64). Deterministic across platforms,
// so a simulator seed replays exactly. Not for cryptography.
#pragma once

#include <cstdint>

#include "common/assert.h"

namespace suanli::consensus {

class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound); bound > 0. The modulo bias is negligible for the
  // small bounds used here (timeouts, fault choices).
  uint64_t uniform(uint64_t bound) {
    SUANLI_ASSERT(bound > 0);
    return next() % bound;
  }

  // True with probability per_mille / 1000.
  bool chance(uint32_t per_mille) { return uniform(1000) < per_mille; }

 private:
  uint64_t state_;
};

}  // namespace suanli::consensus
