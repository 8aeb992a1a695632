// Randomness from the operating system (libsodium's randombytes), kept out of
// the pure ledger and consensus libraries.
#pragma once

#include <array>
#include <cstdint>

namespace suanli {

// 32 bytes for a new Ed25519 key seed; the caller wipes them when done.
std::array<uint8_t, 32> random_seed32();

}  // namespace suanli
