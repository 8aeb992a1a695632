// MajorityConfig: a set of voters and the two majority computations Raft
// needs (commit index from acknowledged indexes, and election outcome).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <utility>

#include "consensus/types.h"

namespace suanli::consensus {

enum class VoteResult : uint8_t { kPending, kLost, kWon };

class MajorityConfig {
 public:
  MajorityConfig() = default;
  explicit MajorityConfig(std::set<NodeId> voters) : voters_(std::move(voters)) {}

  const std::set<NodeId>& voters() const { return voters_; }
  bool contains(NodeId id) const { return voters_.count(id) > 0; }
  size_t size() const { return voters_.size(); }
  void add(NodeId id) { voters_.insert(id); }
  void remove(NodeId id) { voters_.erase(id); }

  // Largest index acknowledged by a majority (0 for an empty config).
  Index committed_index(const std::function<Index(NodeId)>& acked) const;
  // Outcome of an election given the votes received so far.
  VoteResult vote_result(const std::map<NodeId, bool>& votes) const;

 private:
  std::set<NodeId> voters_;
};

}  // namespace suanli::consensus
