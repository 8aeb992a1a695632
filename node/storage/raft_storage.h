// RaftStorage: consensus::Storage in one directory: the log's entries in
// append-only segment files (SegmentLog, under log/), the hard state and the
// latest snapshot (metadata and the application's opaque data) in a small
// RocksDB database. The fsync points are those the core requires: save()
// makes a Ready's entries and any new term or vote durable before it returns,
// so a restart recovers everything persisted before a dependent message was
// sent. A commit index alone is volatile and is written without sync.
//
// Layout of the database (default column family):
//   "h"            hard state (consensus codec)
//   "c"            index and term of the entry before the first one (compaction point)
//   "m", "d"       snapshot metadata and snapshot data
//   "g"            u64 BE generation of the segment log (changes with each received snapshot)
// Earlier versions kept the entries in the database ("e" + u64 BE index);
// open() moves them into segments.
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
  // Opens (or creates) the storage at path. Errors: those of from_rocksdb
  // (node/storage/rocks.h), of the stored state's decoding and of the
  // segment log ("corruption" when entries are missing in its middle).
  // `env` (tests only) replaces RocksDB's default file system, for the
  // segments too; it must outlive the storage. `segment_bytes` (tests only,
  // 0: 64 MiB) is the size past which a segment file is closed.
  static Result<std::unique_ptr<RaftStorage>> open(const std::string& path,
                                                   rocksdb::Env* env = nullptr,
                                                   uint64_t segment_bytes = 0);
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
  // The log's segment files: how many, and their bytes (node_status, /metrics).
  size_t log_segments() const;
  uint64_t log_bytes() const;
  Result<consensus::Snapshot> snapshot() const override;

  // Persists a Ready's entries (replacing any conflicting suffix) and hard
  // state (may be null). Entries are always synced, and a new term or vote is
  // synced before them. A hard state whose commit index alone changed is
  // written without sync when it comes with entries or `sync` is false
  // (consensus::must_sync), after the entries, so on disk it never runs
  // ahead of them; the next synced hard-state write makes it durable.
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
  // background error (once there is space again), and the segment log is
  // read again from disk. The caller retries the failed write after this
  // succeeds.
  Status resume();

 private:
  struct Impl;
  explicit RaftStorage(std::unique_ptr<Impl> impl);
  Status load();
  Status migrate_entries();

  std::unique_ptr<Impl> impl_;
  consensus::HardState hard_state_;
  consensus::SnapshotMeta snapshot_meta_;
  consensus::Index compact_index_ = 0;
  consensus::Term compact_term_ = 0;
  consensus::Index last_index_ = 0;
};

}  // namespace suanli::node
