// RaftStorage: consensus::Storage on its own RocksDB database. Holds the Raft
// log, the hard state and the latest snapshot (metadata and the application's
// opaque data), with the fsync points the core requires: save() writes the
// entries and hard state of a Ready as one synced WriteBatch, so a restart
// recovers exactly what was persisted before any dependent message was sent.
//
// Layout (default column family):
//   "h"            hard state (consensus codec)
//   "c"            index and term of the entry before the first one (compaction point)
//   "m", "d"       snapshot metadata and snapshot data
//   "e" + u64 BE   log entry at that index (consensus codec)
//
// Thread-safety: not thread-safe; the strand that owns the RaftCore owns this.
// Read failures abort (SUANLI_ASSERT): the core cannot continue without its log.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "consensus/storage.h"

namespace rocksdb {
class Env;
}

namespace suanli::node {

class RaftStorage final : public consensus::Storage {
 public:
  // Opens (or creates) the database at path. Errors: those of from_rocksdb
  // (node/storage/rocks.h) and of the stored state's decoding. `env` (tests only) replaces
  // RocksDB's default file system; it must outlive the storage.
  static Result<std::unique_ptr<RaftStorage>> open(const std::string& path,
                                                   rocksdb::Env* env = nullptr);
  ~RaftStorage() override;
  RaftStorage(const RaftStorage&) = delete;
  RaftStorage& operator=(const RaftStorage&) = delete;

  consensus::HardState hard_state() const override { return hard_state_; }
  consensus::ConfState conf_state() const override { return snapshot_meta_.conf_state; }
  Result<std::vector<consensus::Entry>> entries(consensus::Index lo, consensus::Index hi,
                                                uint64_t max_bytes) const override;
  Result<consensus::Term> term(consensus::Index i) const override;
  consensus::Index first_index() const override { return compact_index_ + 1; }
  // Index of the latest stored snapshot (0: none).
  consensus::Index snapshot_index() const { return snapshot_meta_.index; }
  consensus::Index last_index() const override { return last_index_; }
  Result<consensus::Snapshot> snapshot() const override;

  // Persists a Ready's entries (replacing any conflicting suffix) and hard
  // state in one write, synced unless `sync` is false (consensus::must_sync).
  // hard_state may be null. An unsynced write becomes durable with the next
  // synced one.
  Status save(const consensus::HardState* hard_state,
              const std::vector<consensus::Entry>& entries, bool sync = true);
  // Replaces the log by a snapshot received from the leader (synced).
  Status apply_snapshot(const consensus::Snapshot& snapshot);
  // Records the application's snapshot at index <= last_index() (synced).
  Status create_snapshot(consensus::Index index, const consensus::ConfState& conf_state,
                         const Bytes& data);
  // Discards entries before index (index <= last_index()).
  Status compact(consensus::Index index);
  // Fresh cluster: like MemoryStorage::bootstrap. Requires an empty log.
  Status bootstrap(const std::vector<consensus::NodeId>& voters);
  // After a failed write RocksDB refuses every write until this clears its
  // background error (once there is space again). A failed write changed
  // nothing here, so the caller retries it after this succeeds.
  Status resume();

 private:
  struct Impl;
  explicit RaftStorage(std::unique_ptr<Impl> impl);
  Status load();

  std::unique_ptr<Impl> impl_;
  consensus::HardState hard_state_;
  consensus::SnapshotMeta snapshot_meta_;
  consensus::Index compact_index_ = 0;
  consensus::Term compact_term_ = 0;
  consensus::Index last_index_ = 0;
};

}  // namespace suanli::node
