// Runs the deterministic simulator over many seeds. SUANLI_SIM_SEEDS
// overrides the count (sanitizer builds use fewer); a failing seed replays
// with `suanli-sim --seed S --trace`.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>
#include <string>

#include <gtest/gtest.h>

#include "tests/consensus/sim_choices_util.h"
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
  SimStats total;
  std::map<uint32_t, uint64_t> runs_by_size;
  for (uint64_t seed = 1; seed <= n; ++seed) {
    SimOptions opts;
    opts.seed = seed;
    const SimResult r = run_simulation(opts);
    accumulate(total, r.stats);
    ++runs_by_size[r.stats.nodes];
    if (!r.ok) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << ": " << r.failure
                    << " (replay: suanli-sim --seed " << seed << " --trace)";
      if (failures >= 5) break;
    }
  }
  EXPECT_EQ(failures, 0u);
  std::printf("%llu seeds: %s\n", static_cast<unsigned long long>(n), describe(total).c_str());
  if (n < 100) return;
  // The seeds together exercise every fault the simulator can make; a change
  // that silently stops one (a rate set to zero, a branch never taken) fails.
  const std::pair<const char*, uint64_t> faults[] = {
      {"crashes", total.crashes},
      {"crashes after fsync", total.crashes_after_fsync},
      {"commits lost unsynced", total.unsynced_commits_lost},
      {"symmetric partitions", total.partitions_symmetric},
      {"asymmetric partitions", total.partitions_asymmetric},
      {"bridge partitions", total.partitions_bridge},
      {"dropped messages", total.dropped},
      {"duplicated messages", total.duplicated},
      {"delayed messages", total.delayed},
      {"snapshots taken", total.snapshots_taken},
      {"snapshots installed", total.snapshots_sent},
      {"membership changes", total.conf_changes},
      {"leadership transfers", total.transfers},
      {"ReadIndex reads", total.reads},
      {"ReadIndex reads answered", total.reads_answered},
      {"ReadIndex reads dropped", total.reads_dropped},
  };
  for (const auto& [what, count] : faults) EXPECT_GT(count, 0u) << what;
  // Liveness was checked on real work: proposals made after healing, in
  // most runs, and applied everywhere within the bound.
  EXPECT_GT(total.heal_proposals, n);
  EXPECT_LE(total.heal_ticks, SimOptions{}.heal_ticks);
  for (uint32_t size = 3; size <= 7; ++size) {
    EXPECT_GT(runs_by_size[size], 0u) << size << "-node clusters";
  }
}

TEST(SimTest, SameSeedSameRun) {
  SimOptions opts;
  opts.seed = 42;
  const SimResult a = run_simulation(opts);
  const SimResult b = run_simulation(opts);
  EXPECT_EQ(describe(a.stats), describe(b.stats));
  EXPECT_EQ(a.failure, b.failure);
}

// The raft-steps fuzz target's mode: bytes decide every fault and step, and
// the same bytes replay the same run.
TEST(SimTest, BytesDriveARun) {
  std::string bytes;
  for (int i = 0; i < 4000; ++i) bytes.push_back(static_cast<char>((i * 131 + i / 7) & 0xff));
  SimOptions opts;
  opts.fault_ticks = 1000;  // the bytes run out first and end the fault phase
  ByteChoices a(bytes);
  opts.choices = &a;
  const SimResult ra = run_simulation(opts);
  EXPECT_TRUE(ra.ok) << ra.failure;
  EXPECT_TRUE(a.exhausted());
  ByteChoices b(bytes);
  opts.choices = &b;
  const SimResult rb = run_simulation(opts);
  EXPECT_EQ(describe(ra.stats), describe(rb.stats));
}

}  // namespace
}  // namespace suanli::consensus::sim
