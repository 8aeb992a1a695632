// The node's bookkeeping in the state database's meta column family:
// applied Raft index, the last applied block (tip) and the state hash per
// height. Written in the same WriteBatch as the block they describe, so a
// crash leaves them consistent with the state.
#pragma once

#include <optional>
#include <string>

#include "ledger/kv.h"
#include "node/node_impl.h"
#include "node/storage/state_store.h"

namespace suanli::node::meta {

std::string key(std::string_view name);
std::string state_hash_key(uint64_t height);

struct Applied {
  uint64_t index = 0;  // Raft index of the last applied entry with a block
  Tip tip;
  Hash32 state_hash{};
};

// The layout of the state database this build reads and writes. Raise it
// with any incompatible change, with a migration of older layouts.
inline constexpr uint64_t kSchemaVersion = 1;

// Checks the state database's schema version at start-up: records the
// current one when none is recorded (a new database, or one from before
// versions were recorded, whose layout is version 1). Errors:
// "schema_too_new" (written by a newer suanli: this one must not touch it),
// "corruption" (unreadable version), or a write error.
Status check_schema(StateStore& state);

// Adds the applied index, tip and state hash at tip.height to `w`.
void put_applied(ledger::WriteSet& w, uint64_t index, const Tip& tip, const Hash32& state_hash);
Applied load_applied(const ledger::KvRead& kv);
// False when the database has no applied record (it is not a node's state).
bool has_applied(const ledger::KvRead& kv);
std::optional<Hash32> state_hash_at(const ledger::KvRead& kv, uint64_t height);

}  // namespace suanli::node::meta
