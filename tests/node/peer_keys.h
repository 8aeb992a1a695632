// Keys and genesis hashes for the peer wire and transport tests.
#pragma once

#include <array>
#include <cstdint>

#include "common/bytes.h"
#include "ledger/crypto.h"

namespace suanli::node::testing {

inline ledger::KeyPair key_of(uint8_t n) {
  std::array<uint8_t, 32> seed{};
  seed[0] = n;
  seed[1] = 0x5a;
  return ledger::keypair_from_seed(seed);
}

inline Hash32 genesis_of(uint8_t n) {
  Hash32 h{};
  h.fill(n);
  return h;
}

}  // namespace suanli::node::testing
