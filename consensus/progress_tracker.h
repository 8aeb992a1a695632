// ProgressTracker: the membership (voters, learners) plus one Progress per
// member and the votes of the current election.
#pragma once

#include <map>
#include <set>

#include "consensus/progress.h"
#include "consensus/quorum.h"

namespace suanli::consensus {

class ProgressTracker {
 public:
  ProgressTracker(uint32_t max_inflight_msgs, uint64_t max_inflight_bytes)
      : max_inflight_msgs_(max_inflight_msgs), max_inflight_bytes_(max_inflight_bytes) {}

  // Replaces the membership; every member gets a fresh Progress at next.
  void reset_conf(const ConfState& conf_state, Index next);
  ConfState conf_state() const;

  void add_voter(NodeId id, Index next);
  void add_learner(NodeId id, Index next);
  void remove(NodeId id);

  bool is_voter(NodeId id) const { return voters_.contains(id); }
  bool is_learner(NodeId id) const { return learners_.count(id) > 0; }
  bool contains(NodeId id) const { return progress_.count(id) > 0; }
  const MajorityConfig& voters() const { return voters_; }
  size_t size() const { return progress_.size(); }

  Progress* progress(NodeId id);
  std::map<NodeId, Progress>& all() { return progress_; }
  // Resets every member's Progress to (match 0, next), keeping learner flags.
  void reset_progress(Index next);

  // Largest index replicated on a majority of voters.
  Index committed() const;
  // True if a majority of voters (self counts) was active recently.
  bool quorum_active(NodeId self) const;
  void clear_recent_active();

  void reset_votes() { votes_.clear(); }
  void record_vote(NodeId id, bool granted) { votes_.emplace(id, granted); }
  VoteResult tally_votes() const { return voters_.vote_result(votes_); }

 private:
  uint32_t max_inflight_msgs_;
  uint64_t max_inflight_bytes_;
  MajorityConfig voters_;
  std::set<NodeId> learners_;
  std::map<NodeId, Progress> progress_;
  std::map<NodeId, bool> votes_;
};

}  // namespace suanli::consensus
