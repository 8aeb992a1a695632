// Progress: the leader's view of one follower (match/next indexes and the
// replication state machine: probe, replicate, snapshot).
//
//   probe:     one kApp at a time until the follower's match is found.
//   replicate: kApps are pipelined, bounded by Inflights.
//   snapshot:  a snapshot is being sent in chunks; no kApps.
#pragma once

#include <cstdint>

#include "consensus/inflights.h"
#include "consensus/types.h"

namespace suanli::consensus {

enum class ProgressState : uint8_t { kProbe, kReplicate, kSnapshot };
const char* progress_state_name(ProgressState state);

class Progress {
 public:
  Progress(Index next, uint32_t max_inflight_msgs, uint64_t max_inflight_bytes, bool learner);

  Index match() const { return match_; }
  Index next() const { return next_; }
  ProgressState state() const { return state_; }
  bool is_learner() const { return learner_; }
  void set_learner(bool learner) { learner_ = learner; }
  bool recent_active() const { return recent_active_; }
  void set_recent_active(bool active) { recent_active_ = active; }
  Index pending_snapshot() const { return pending_snapshot_; }
  uint64_t snapshot_offset() const { return snapshot_offset_; }
  void set_snapshot_offset(uint64_t offset) { snapshot_offset_ = offset; }
  const Inflights& inflights() const { return inflights_; }

  void become_probe();
  void become_replicate();
  void become_snapshot(Index snapshot_index);

  // The follower acknowledged index; returns true if match advanced.
  bool maybe_update(Index index);
  // The follower rejected a kApp at rejected; match_hint is its conflict hint.
  // Returns false when the rejection is stale.
  bool maybe_decr_to(Index rejected, Index match_hint);
  // Records a sent kApp carrying entries up to last (bytes of entries).
  void sent_entries(size_t count, Index last, uint64_t bytes);
  void free_inflights_le(Index index) { inflights_.free_le(index); }
  void free_first_inflight() { inflights_.free_first_one(); }
  // A heartbeat response lets a paused probe send again.
  void resume_probe() { probe_sent_ = false; }
  bool is_paused() const;

 private:
  void reset_state(ProgressState state);

  Index match_ = 0;
  Index next_;
  ProgressState state_ = ProgressState::kProbe;
  bool learner_;
  bool recent_active_ = false;
  bool probe_sent_ = false;
  Index pending_snapshot_ = 0;
  uint64_t snapshot_offset_ = 0;
  Inflights inflights_;
};

}  // namespace suanli::consensus
