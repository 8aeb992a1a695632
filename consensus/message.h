// Messages exchanged between Raft peers. The codec (codec.h) turns them into
// bounded, versioned bytes; the core itself never serializes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/types.h"

namespace suanli::consensus {

enum class MessageType : uint8_t {
  kApp = 1,         // AppendEntries: index/log_term = previous entry, commit
  kAppResp = 2,     // index = last matching index, or rejected index + hint
  kVote = 3,        // index/log_term = candidate's last entry
  kVoteResp = 4,
  kPreVote = 5,     // term = the term the candidate would campaign in
  kPreVoteResp = 6,
  kSnap = 7,        // one chunk of snapshot data at snap_offset of snap_total
  kSnapResp = 8,    // snap_offset = bytes received so far; reject = restart at 0
  kHeartbeat = 9,   // commit, context (ReadIndex)
  kHeartbeatResp = 10,
  kTimeoutNow = 11,  // leadership transfer: campaign now
  kReadIndex = 12,   // follower asks the leader for a read index (context)
  kReadIndexResp = 13,
};
inline constexpr uint8_t kMessageTypeMax = 13;
const char* message_type_name(MessageType type);

struct Message {
  MessageType type = MessageType::kApp;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term term = 0;
  Term log_term = 0;
  Index index = 0;
  Index commit = 0;
  bool reject = false;
  Index reject_hint = 0;
  bool transfer = false;  // vote requested by a leadership transfer: ignore leases
  std::vector<Entry> entries;
  SnapshotMeta snapshot;  // kSnap / kSnapResp
  uint64_t snap_offset = 0;
  uint64_t snap_total = 0;
  Bytes snap_data;
  Bytes context;
  bool operator==(const Message&) const = default;
};

// True for responses whose term may be lower than a voter's own term by design.
inline bool is_vote_response(MessageType t) {
  return t == MessageType::kVoteResp || t == MessageType::kPreVoteResp;
}

}  // namespace suanli::consensus
