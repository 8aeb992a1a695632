// Random transaction sequences over the default harness actors, for property tests.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "tests/ledger/harness_util.h"

namespace suanli::ledger::testing {

struct RecordedBlock {
  uint64_t height = 0;
  uint64_t time = 0;
  std::vector<Tx> txs;
  std::vector<bool> signature_ok;
  Hash32 state_hash{};
};

// Drives a Harness with random, mostly plausible transactions (and some
// invalid ones), recording every block so it can be replayed elsewhere.
class RandomDriver {
 public:
  RandomDriver(Harness& h, uint64_t seed);
  // Builds and applies one block of 1..max_txs random transactions.
  void step(size_t max_txs);
  const std::vector<RecordedBlock>& blocks() const { return blocks_; }

 private:
  Tx random_tx();
  // The next plausible step of a recent contract's life (accept, report, ack,
  // close, apply, issue, redeem...), so success paths are exercised.
  std::optional<Tx> guided_tx();
  const std::string& pick(const std::vector<std::string>& v);
  uint64_t amount();
  Id16 some_contract();
  Hash32 some_voucher();

  Harness& h_;
  std::mt19937_64 rng_;
  std::vector<Id16> contracts_;
  std::vector<Hash32> proposals_;  // node_propose and regulator_propose hashes
  uint64_t fresh_actors_ = 0;
  std::vector<RecordedBlock> blocks_;
};

}  // namespace suanli::ledger::testing
