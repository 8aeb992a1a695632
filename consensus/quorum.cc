#include "consensus/quorum.h"

#include <algorithm>
#include <vector>

namespace suanli::consensus {

Index MajorityConfig::committed_index(const std::function<Index(NodeId)>& acked) const {
  if (voters_.empty()) return 0;
  std::vector<Index> indexes;
  indexes.reserve(voters_.size());
  for (NodeId id : voters_) indexes.push_back(acked(id));
  std::sort(indexes.begin(), indexes.end(), std::greater<Index>());
  // The (n/2+1)-th largest index is held by a majority.
  return indexes[voters_.size() / 2];
}

VoteResult MajorityConfig::vote_result(const std::map<NodeId, bool>& votes) const {
  if (voters_.empty()) return VoteResult::kPending;
  size_t granted = 0;
  size_t missing = 0;
  for (NodeId id : voters_) {
    auto it = votes.find(id);
    if (it == votes.end()) {
      ++missing;
    } else if (it->second) {
      ++granted;
    }
  }
  const size_t quorum = voters_.size() / 2 + 1;
  if (granted >= quorum) return VoteResult::kWon;
  if (granted + missing >= quorum) return VoteResult::kPending;
  return VoteResult::kLost;
}

}  // namespace suanli::consensus
