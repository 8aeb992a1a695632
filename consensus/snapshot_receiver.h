// SnapshotReceiver: assembles one snapshot from kSnap chunks on a follower.
// Chunks must arrive in order; anything else tells the leader where to resume.
#pragma once

#include <cstdint>
#include <optional>

#include "consensus/message.h"

namespace suanli::consensus {

struct ChunkOutcome {
  // Offset the receiver expects next (what a kSnapResp reports).
  uint64_t next_offset = 0;
  // Set once the last chunk arrived.
  std::optional<Snapshot> snapshot;
};

class SnapshotReceiver {
 public:
  ChunkOutcome add_chunk(const Message& m);
  void reset();
  bool active() const { return active_; }

 private:
  bool active_ = false;
  SnapshotMeta meta_;
  uint64_t total_ = 0;
  Bytes data_;  // at most total_ <= kSnapshotBytesMax bytes
};

}  // namespace suanli::consensus
