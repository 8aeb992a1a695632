// LogReceiver: the follower's side of replication. Applies kApp, kHeartbeat
// and kSnap chunks from the leader to the log (consistency check, conflict
// truncation, commit index, snapshot restore) and queues the answers, with a
// conflict hint on rejection for fast backtracking.
// References must outlive the LogReceiver.
#pragma once

#include "consensus/outbox.h"
#include "consensus/progress_tracker.h"
#include "consensus/raft_log.h"
#include "consensus/snapshot_receiver.h"

namespace suanli::consensus {

class LogReceiver {
 public:
  LogReceiver(RaftLog& log, ProgressTracker& tracker, Outbox& outbox)
      : log_(log), tracker_(tracker), outbox_(outbox) {}

  void on_append(const Message& m);
  void on_heartbeat(const Message& m);
  void on_snapshot_chunk(const Message& m);
  // Forgets a partly received snapshot (a new leader restarts the transfer).
  void reset() { snapshot_receiver_.reset(); }

 private:
  bool restore(const Snapshot& snapshot);

  RaftLog& log_;
  ProgressTracker& tracker_;
  Outbox& outbox_;
  SnapshotReceiver snapshot_receiver_;
};

}  // namespace suanli::consensus
