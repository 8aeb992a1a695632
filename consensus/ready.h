// Ready: what a RaftCore asks its driver to do, in this order:
//   1. apply `snapshot` to storage (and the application) if set,
//   2. append `entries` and write `hard_state` to storage, durably (fsync),
//   3. send `messages` (they assume steps 1-2 are durable),
//   4. apply `committed_entries` in order (conf changes via apply_conf_change),
//      and answer `read_states` once applied >= their index,
//   5. call RaftCore::advance(ready).
#pragma once

#include <optional>
#include <vector>

#include "consensus/message.h"

namespace suanli::consensus {

struct Ready {
  std::optional<HardState> hard_state;  // set only when it changed
  std::vector<Entry> entries;
  std::optional<Snapshot> snapshot;
  std::vector<Message> messages;
  std::vector<Entry> committed_entries;
  std::vector<ReadState> read_states;
};

// Whether step 2 must fsync: new entries, or a new term or vote (what the
// Raft paper calls persistent state). A hard state whose commit index alone
// changed may be written without a sync: the commit index is volatile state
// that a restarted node learns again from the leader, and a write that a
// power loss drops takes no later write with it (the log is written in
// order). Each block then costs every node one fsync instead of two.
inline bool must_sync(const HardState& persisted, const Ready& rd) {
  if (!rd.entries.empty() || rd.snapshot) return true;
  if (!rd.hard_state) return false;
  return rd.hard_state->term != persisted.term || rd.hard_state->vote != persisted.vote;
}

}  // namespace suanli::consensus
