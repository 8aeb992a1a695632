// MemoryStorage: Storage kept in memory. Used by tests and by the simulator,
// where it stands for the disk: what was written here survives a crash.
// Not thread-safe.
#pragma once

#include <vector>

#include "consensus/storage.h"

namespace suanli::consensus {

class MemoryStorage : public Storage {
 public:
  MemoryStorage();

  HardState hard_state() const override { return hard_state_; }
  ConfState conf_state() const override { return snapshot_.meta.conf_state; }
  Result<std::vector<Entry>> entries(Index lo, Index hi, uint64_t max_bytes) const override;
  Result<Term> term(Index i) const override;
  Index first_index() const override;
  Index last_index() const override;
  Result<Snapshot> snapshot() const override { return snapshot_; }

  void set_hard_state(const HardState& hs) { hard_state_ = hs; }
  // Appends entries, truncating any conflicting suffix first. Entries must
  // be contiguous with (or overlap) the stored log.
  void append(const std::vector<Entry>& entries);
  // Replaces the whole log by the snapshot. kErrSnapshotOutOfDate if older.
  Status apply_snapshot(Snapshot snapshot);
  // Records a snapshot of the application state at index (<= last_index()).
  Status create_snapshot(Index index, const ConfState& conf_state, Bytes data);
  // Discards entries before index (index <= last_index()).
  Status compact(Index index);

  // Fresh cluster: entries 1..n add each voter (term 1, committed), so a node
  // that joins later and replays the log learns the initial membership.
  void bootstrap(const std::vector<NodeId>& voters);

 private:
  Index offset() const { return entries_.front().index; }

  HardState hard_state_;
  Snapshot snapshot_;
  // entries_[0] is a dummy holding the snapshot's index and term.
  std::vector<Entry> entries_;
};

// Keeps a prefix of entries totalling at most max_bytes (at least one entry).
void limit_entries_bytes(std::vector<Entry>& entries, uint64_t max_bytes);

}  // namespace suanli::consensus
