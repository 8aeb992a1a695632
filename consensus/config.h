// RaftConfig: identity, timing (in ticks), features and limits of one RaftCore.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "consensus/types.h"

namespace suanli::consensus {

struct RaftConfig {
  NodeId id = kNoNode;
  // The election timeout is drawn from [election_ticks, 2 * election_ticks).
  uint32_t election_ticks = 10;
  uint32_t heartbeat_ticks = 1;
  // Seeds the core's PRNG (election timeouts); the only source of randomness.
  uint64_t seed = 1;
  bool pre_vote = true;
  bool check_quorum = true;
  // Index the application has already applied (restart); 0 for a fresh node.
  Index applied = 0;

  // Soft cap on the entry bytes of one kApp (at least one entry is sent).
  uint64_t max_msg_bytes = 1 << 20;
  // Per-follower bound on kApp messages and bytes in flight (replicate state).
  uint32_t max_inflight_msgs = 64;
  uint64_t max_inflight_bytes = 16 << 20;
  // Leader refuses proposals beyond this many uncommitted payload bytes.
  uint64_t max_uncommitted_bytes = 64 << 20;
  // Soft cap on committed entry bytes handed out by one Ready.
  uint64_t max_committed_bytes_per_ready = 16 << 20;
  // Snapshot data is sent in chunks of this many bytes.
  uint64_t snapshot_chunk_bytes = 1 << 20;
};

// Returns an error when a field is out of range or inconsistent with limits.h.
Status validate(const RaftConfig& config);

}  // namespace suanli::consensus
