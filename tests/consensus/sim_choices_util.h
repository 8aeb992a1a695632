// SimChoices: where the simulator's choices come from. A seeded Prng makes a
// seed replay its run; ByteChoices reads them from a byte string, so a
// fuzzer's input decides every fault, delay, delivery order and workload step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/assert.h"
#include "consensus/prng.h"

namespace suanli::consensus::sim {

class SimChoices {
 public:
  virtual ~SimChoices() = default;
  virtual uint64_t next() = 0;
  // Uniform in [0, bound); bound > 0.
  virtual uint64_t uniform(uint64_t bound) = 0;
  // True with probability per_mille / 1000.
  virtual bool chance(uint32_t per_mille) = 0;
  // No more choices to give: the simulator ends its fault phase early.
  virtual bool exhausted() const { return false; }
};

class PrngChoices final : public SimChoices {
 public:
  explicit PrngChoices(uint64_t seed) : rng_(seed) {}
  uint64_t next() override { return rng_.next(); }
  uint64_t uniform(uint64_t bound) override { return rng_.uniform(bound); }
  bool chance(uint32_t per_mille) override { return rng_.chance(per_mille); }

 private:
  Prng rng_;
};

// Each choice takes the fewest bytes that cover it (chance: one byte). Once
// the bytes run out every chance is false and every number 0: faults and
// workload stop, and the run goes on calmly.
class ByteChoices final : public SimChoices {
 public:
  explicit ByteChoices(std::string_view bytes) : in_(bytes) {}
  // The simulator's next() only orders messages due together: a byte will do.
  uint64_t next() override { return take(1); }
  uint64_t uniform(uint64_t bound) override {
    SUANLI_ASSERT(bound > 0);
    size_t n = 1;
    while (n < 8 && (bound - 1) >> (8 * n) != 0) ++n;
    return take(n) % bound;
  }
  bool chance(uint32_t per_mille) override {
    if (in_.empty()) return false;
    return take(1) * 1000 / 256 < per_mille;
  }
  bool exhausted() const override { return in_.empty(); }

 private:
  uint64_t take(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && !in_.empty(); ++i) {
      v = (v << 8) | static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
    }
    return v;
  }
  std::string_view in_;
};

}  // namespace suanli::consensus::sim
