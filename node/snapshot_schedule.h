// When a node takes its next snapshot (a checkpoint of the state database).
//
// Every node of a cluster applies the same entries, so a fixed interval would
// make them all checkpoint at the same index and stall applying at the same
// moment. Each node instead has its own phase in the interval (from its Raft
// id), and takes a snapshot at the entries whose index is that phase modulo
// the interval: about every `interval` entries, at different moments on
// different nodes.
#pragma once

#include <cstdint>

namespace suanli::node {

// The node's phase, in [0, interval).
inline uint64_t snapshot_phase(uint64_t raft_id, uint64_t interval) {
  return interval == 0 ? 0 : raft_id % interval;
}

// The index at which the next snapshot after one at `last` is due: the first
// index after `last` that is `phase` modulo `interval`, at least interval / 2
// after it (so that the first snapshot after a start or an installed snapshot
// does not come at once).
inline uint64_t next_snapshot_index(uint64_t last, uint64_t interval, uint64_t phase) {
  if (interval == 0) return last + 1;
  uint64_t next = last - last % interval + phase % interval;
  if (next <= last) next += interval;
  if (next - last < interval / 2) next += interval;
  return next;
}

}  // namespace suanli::node
