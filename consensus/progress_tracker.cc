#include "consensus/progress_tracker.h"

#include "common/assert.h"

namespace suanli::consensus {

void ProgressTracker::reset_conf(const ConfState& conf_state, Index next) {
  voters_ = MajorityConfig();
  learners_.clear();
  progress_.clear();
  votes_.clear();
  for (NodeId id : conf_state.voters) add_voter(id, next);
  for (NodeId id : conf_state.learners) add_learner(id, next);
}

ConfState ProgressTracker::conf_state() const {
  ConfState cs;
  cs.voters.assign(voters_.voters().begin(), voters_.voters().end());
  cs.learners.assign(learners_.begin(), learners_.end());
  return cs;
}

void ProgressTracker::add_voter(NodeId id, Index next) {
  SUANLI_ASSERT(id != kNoNode);
  learners_.erase(id);
  voters_.add(id);
  auto it = progress_.find(id);
  if (it != progress_.end()) {
    it->second.set_learner(false);  // promotion keeps replication progress
    return;
  }
  Progress pr(next, max_inflight_msgs_, max_inflight_bytes_, false);
  // A new member counts as active so check-quorum does not fire at once.
  pr.set_recent_active(true);
  progress_.emplace(id, pr);
}

void ProgressTracker::add_learner(NodeId id, Index next) {
  SUANLI_ASSERT(id != kNoNode);
  if (voters_.contains(id)) return;  // demotion is not supported
  learners_.insert(id);
  if (progress_.count(id) > 0) return;
  Progress pr(next, max_inflight_msgs_, max_inflight_bytes_, true);
  pr.set_recent_active(true);
  progress_.emplace(id, pr);
}

void ProgressTracker::remove(NodeId id) {
  voters_.remove(id);
  learners_.erase(id);
  progress_.erase(id);
  votes_.erase(id);
}

Progress* ProgressTracker::progress(NodeId id) {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

void ProgressTracker::reset_progress(Index next) {
  for (auto& [id, pr] : progress_) {
    Progress fresh(next, max_inflight_msgs_, max_inflight_bytes_, pr.is_learner());
    fresh.set_recent_active(true);
    pr = fresh;
  }
}

Index ProgressTracker::committed() const {
  return voters_.committed_index([this](NodeId id) -> Index {
    auto it = progress_.find(id);
    return it == progress_.end() ? 0 : it->second.match();
  });
}

bool ProgressTracker::quorum_active(NodeId self) const {
  std::map<NodeId, bool> active;
  for (NodeId id : voters_.voters()) {
    auto it = progress_.find(id);
    active[id] = id == self || (it != progress_.end() && it->second.recent_active());
  }
  return voters_.vote_result(active) == VoteResult::kWon;
}

void ProgressTracker::clear_recent_active() {
  for (auto& [id, pr] : progress_) pr.set_recent_active(false);
}

}  // namespace suanli::consensus
