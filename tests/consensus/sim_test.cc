// Runs the deterministic simulator over many seeds. SUANLI_SIM_SEEDS
// overrides the count (sanitizer builds use fewer); a failing seed replays
// with `suanli-sim --seed S --trace`.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "tests/consensus/sim_util.h"

namespace suanli::consensus::sim {
namespace {

uint64_t seed_count() {
  if (const char* env = std::getenv("SUANLI_SIM_SEEDS")) return std::strtoull(env, nullptr, 10);
#if defined(__SANITIZE_ADDRESS__)
  return 100;
#else
  return 1000;
#endif
}

TEST(SimTest, ManySeedsKeepSafetyAndLiveness) {
  const uint64_t n = seed_count();
  uint64_t failures = 0;
  for (uint64_t seed = 1; seed <= n; ++seed) {
    SimOptions opts;
    opts.seed = seed;
    const SimResult r = run_simulation(opts);
    if (!r.ok) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << ": " << r.failure
                    << " (replay: suanli-sim --seed " << seed << " --trace)";
      if (failures >= 5) break;
    }
  }
  EXPECT_EQ(failures, 0u);
}

TEST(SimTest, SameSeedSameRun) {
  SimOptions opts;
  opts.seed = 42;
  const SimResult a = run_simulation(opts);
  const SimResult b = run_simulation(opts);
  EXPECT_EQ(describe(a.stats), describe(b.stats));
  EXPECT_EQ(a.failure, b.failure);
}

}  // namespace
}  // namespace suanli::consensus::sim
