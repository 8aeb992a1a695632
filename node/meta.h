// The node's bookkeeping in the state database's meta column family:
// applied Raft index, the last applied block (tip) and the state hash per
// height. Written in the same WriteBatch as the block they describe, so a
// crash leaves them consistent with the state.
#pragma once

#include <optional>
#include <string>

#include "ledger/kv.h"
#include "node/node_impl.h"

namespace suanli::node::meta {

std::string key(std::string_view name);
std::string state_hash_key(uint64_t height);

struct Applied {
  uint64_t index = 0;  // Raft index of the last applied entry with a block
  Tip tip;
  Hash32 state_hash{};
};

// Adds the applied index, tip and state hash at tip.height to `w`.
void put_applied(ledger::WriteSet& w, uint64_t index, const Tip& tip, const Hash32& state_hash);
Applied load_applied(const ledger::KvRead& kv);
std::optional<Hash32> state_hash_at(const ledger::KvRead& kv, uint64_t height);

}  // namespace suanli::node::meta
