#include "consensus/config.h"

#include "consensus/limits.h"

namespace suanli::consensus {

Status validate(const RaftConfig& c) {
  auto bad = [](const char* what) { return Status::error("invalid_raft_config", what); };
  if (c.id == kNoNode) return bad("id must be non-zero");
  if (c.heartbeat_ticks == 0) return bad("heartbeat_ticks must be positive");
  if (c.election_ticks <= c.heartbeat_ticks) {
    return bad("election_ticks must exceed heartbeat_ticks");
  }
  if (c.max_msg_bytes == 0 || c.max_msg_bytes > kMessageBytesMax / 2) return bad("max_msg_bytes");
  if (c.max_inflight_msgs == 0) return bad("max_inflight_msgs must be positive");
  if (c.max_inflight_bytes == 0) return bad("max_inflight_bytes must be positive");
  if (c.max_uncommitted_bytes == 0) return bad("max_uncommitted_bytes must be positive");
  if (c.max_committed_bytes_per_ready == 0) return bad("max_committed_bytes_per_ready");
  if (c.snapshot_chunk_bytes == 0 || c.snapshot_chunk_bytes > kSnapshotChunkBytesMax) {
    return bad("snapshot_chunk_bytes");
  }
  return Status::ok();
}

const char* role_name(StateRole role) {
  switch (role) {
    case StateRole::kFollower: return "follower";
    case StateRole::kPreCandidate: return "pre-candidate";
    case StateRole::kCandidate: return "candidate";
    case StateRole::kLeader: return "leader";
  }
  return "?";
}

}  // namespace suanli::consensus
