#include "consensus/membership.h"

#include "consensus/limits.h"

namespace suanli::consensus {

Status check_conf_change(const ProgressTracker& tracker, const ConfChange& cc) {
  auto invalid = [](const char* why) { return Status::error("invalid_conf_change", why); };
  const bool voter = tracker.is_voter(cc.node_id);
  const bool learner = tracker.is_learner(cc.node_id);
  switch (cc.type) {
    case ConfChangeType::kAddNode:
      if (voter) return invalid("already a voter");
      break;
    case ConfChangeType::kAddLearner:
      if (voter || learner) return invalid("already a member");
      break;
    case ConfChangeType::kRemoveNode:
      if (!voter && !learner) return invalid("not a member");
      if (voter && tracker.voters().size() == 1) return invalid("cannot remove the last voter");
      break;
  }
  if (cc.node_id == kNoNode) return invalid("node id 0");
  if (tracker.size() >= kConfNodesMax && cc.type != ConfChangeType::kRemoveNode) {
    return invalid("too many members");
  }
  return Status::ok();
}

}  // namespace suanli::consensus
