// Hashing for the in-memory indexes keyed by transaction hashes and
// signatures (mempool, verify cache). Their keys come from clients, who can
// grind a transaction until its hash lands in a chosen bucket of a plain
// hash table; SipHash under a key drawn at start makes that useless.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include "common/bytes.h"

namespace suanli::node {

// SipHash-2-4 (libsodium's crypto_shorthash) under this process's key.
size_t keyed_hash(std::string_view bytes);

struct KeyedHash {
  size_t operator()(const Hash32& h) const { return keyed_hash(as_view(h)); }
  size_t operator()(const std::pair<Hash32, Sig64>& k) const {
    // The signature is the attacker's free choice, so it is hashed too.
    std::array<uint8_t, 96> both;
    std::copy(k.first.begin(), k.first.end(), both.begin());
    std::copy(k.second.begin(), k.second.end(), both.begin() + 32);
    return keyed_hash(as_view(both));
  }
};

}  // namespace suanli::node
