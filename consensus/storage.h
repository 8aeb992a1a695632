// Storage: the core's read-only view of what the driver has persisted (log
// entries, hard state, snapshot). The driver writes to it while handling a
// Ready; the core only reads. Implementations: MemoryStorage (tests and the
// simulator), node/storage/raft_storage.h (RocksDB).
//
// Not thread-safe: the driver must not write while the core reads, which holds
// when both run on the one strand that owns the RaftCore.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "consensus/types.h"

namespace suanli::consensus {

// Error codes returned by Storage and RaftLog.
inline constexpr const char* kErrCompacted = "compacted";      // index below first_index
inline constexpr const char* kErrUnavailable = "unavailable";  // index above last_index
inline constexpr const char* kErrSnapshotOutOfDate = "snapshot_out_of_date";

class Storage {
 public:
  virtual ~Storage() = default;

  virtual HardState hard_state() const = 0;
  // Membership as of the latest snapshot (later changes are in the log).
  virtual ConfState conf_state() const = 0;
  // Entries in [lo, hi), at most max_bytes but at least one entry.
  // Precondition: hi <= last_index() + 1. Errors: kErrCompacted, kErrUnavailable.
  virtual Result<std::vector<Entry>> entries(Index lo, Index hi, uint64_t max_bytes) const = 0;
  // Term of entry i; first_index() - 1 (the snapshot index) is answerable too.
  virtual Result<Term> term(Index i) const = 0;
  virtual Index first_index() const = 0;
  virtual Index last_index() const = 0;
  // The latest snapshot (meta.index == 0 when there is none).
  virtual Result<Snapshot> snapshot() const = 0;
};

}  // namespace suanli::consensus
