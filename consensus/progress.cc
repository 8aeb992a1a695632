#include "consensus/progress.h"

#include <algorithm>

#include "common/assert.h"

namespace suanli::consensus {

const char* progress_state_name(ProgressState state) {
  switch (state) {
    case ProgressState::kProbe: return "probe";
    case ProgressState::kReplicate: return "replicate";
    case ProgressState::kSnapshot: return "snapshot";
  }
  return "?";
}

Progress::Progress(Index next, uint32_t max_inflight_msgs, uint64_t max_inflight_bytes,
                   bool learner)
    : next_(next), learner_(learner), inflights_(max_inflight_msgs, max_inflight_bytes) {
  SUANLI_ASSERT(next >= 1);
}

void Progress::reset_state(ProgressState state) {
  state_ = state;
  probe_sent_ = false;
  pending_snapshot_ = 0;
  snapshot_offset_ = 0;
  inflights_.reset();
}

void Progress::become_probe() {
  if (state_ == ProgressState::kSnapshot) {
    const Index pending = pending_snapshot_;
    reset_state(ProgressState::kProbe);
    next_ = std::max(match_ + 1, pending + 1);
  } else {
    reset_state(ProgressState::kProbe);
    next_ = match_ + 1;
  }
}

void Progress::become_replicate() {
  reset_state(ProgressState::kReplicate);
  next_ = match_ + 1;
}

void Progress::become_snapshot(Index snapshot_index) {
  reset_state(ProgressState::kSnapshot);
  pending_snapshot_ = snapshot_index;
}

bool Progress::maybe_update(Index index) {
  bool updated = false;
  if (match_ < index) {
    match_ = index;
    updated = true;
    probe_sent_ = false;
  }
  next_ = std::max(next_, index + 1);
  return updated;
}

bool Progress::maybe_decr_to(Index rejected, Index match_hint) {
  if (state_ == ProgressState::kReplicate) {
    // A rejection at or below match is stale: the follower has more since.
    if (rejected <= match_) return false;
    next_ = match_ + 1;
    return true;
  }
  // In probe state only the rejection of the last probe is meaningful.
  if (next_ - 1 != rejected) return false;
  next_ = std::max(std::min(rejected, match_hint + 1), match_ + 1);
  probe_sent_ = false;
  return true;
}

void Progress::sent_entries(size_t count, Index last, uint64_t bytes) {
  switch (state_) {
    case ProgressState::kReplicate:
      if (count > 0) {
        SUANLI_ASSERT(last + 1 > next_);
        next_ = last + 1;
        inflights_.add(last, bytes);
      }
      break;
    case ProgressState::kProbe:
      probe_sent_ = true;
      break;
    case ProgressState::kSnapshot:
      SUANLI_ASSERT_MSG(false, "sending entries in snapshot state");
  }
}

bool Progress::is_paused() const {
  switch (state_) {
    case ProgressState::kProbe: return probe_sent_;
    case ProgressState::kReplicate: return inflights_.full();
    case ProgressState::kSnapshot: return true;
  }
  return true;
}

}  // namespace suanli::consensus
