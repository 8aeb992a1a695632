#include "consensus/message.h"

namespace suanli::consensus {

const char* message_type_name(MessageType type) {
  switch (type) {
    case MessageType::kApp: return "App";
    case MessageType::kAppResp: return "AppResp";
    case MessageType::kVote: return "Vote";
    case MessageType::kVoteResp: return "VoteResp";
    case MessageType::kPreVote: return "PreVote";
    case MessageType::kPreVoteResp: return "PreVoteResp";
    case MessageType::kSnap: return "Snap";
    case MessageType::kSnapResp: return "SnapResp";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kHeartbeatResp: return "HeartbeatResp";
    case MessageType::kTimeoutNow: return "TimeoutNow";
    case MessageType::kReadIndex: return "ReadIndex";
    case MessageType::kReadIndexResp: return "ReadIndexResp";
  }
  return "?";
}

}  // namespace suanli::consensus
