// Replicator: the leader's side of log replication. Builds kApp, kSnap and
// kHeartbeat messages for each follower from its Progress, and updates that
// Progress from the follower's responses (probe/replicate/snapshot states,
// inflight window, fast backtracking, chunked snapshot transfer).
//
// Commit decisions stay with RaftCore; the Replicator only reports whether a
// follower's match advanced. References must outlive the Replicator.
#pragma once

#include "consensus/config.h"
#include "consensus/outbox.h"
#include "consensus/progress_tracker.h"
#include "consensus/raft_log.h"

namespace suanli::consensus {

struct AckOutcome {
  bool match_advanced = false;
  bool was_paused = false;
};

class Replicator {
 public:
  Replicator(const RaftConfig& config, const RaftLog& log, ProgressTracker& tracker,
             Outbox& outbox)
      : config_(config), log_(log), tracker_(tracker), outbox_(outbox) {}

  // Sends the follower its next entries (or a snapshot when they are
  // compacted). Returns false when nothing was sent (paused or up to date).
  bool send_append(NodeId to, bool send_if_empty);
  // Sends as many kApps as the follower's inflight window allows.
  void fill_window(NodeId to);
  void bcast_append(NodeId self);
  void bcast_heartbeat(NodeId self, const Bytes* context);
  void send_timeout_now(NodeId to);

  AckOutcome on_app_resp(const Message& m, Progress& pr);
  void on_heartbeat_resp(const Message& m, Progress& pr);
  void on_snap_resp(const Message& m, Progress& pr);

 private:
  void on_app_reject(const Message& m, Progress& pr);
  bool start_snapshot(NodeId to, Progress& pr);
  void send_snapshot_chunk(NodeId to, Progress& pr);

  const RaftConfig& config_;
  const RaftLog& log_;
  ProgressTracker& tracker_;
  Outbox& outbox_;
};

}  // namespace suanli::consensus
