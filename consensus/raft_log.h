// RaftLog: the replicated log as the core sees it, stable entries in Storage
// followed by unstable ones, plus the commit and apply cursors.
//
// Invariant: applied <= committed <= last_index(), first_index() - 1 <= applied
// once a snapshot is pending application.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "common/status.h"
#include "consensus/storage.h"
#include "consensus/unstable_log.h"

namespace suanli::consensus {

class RaftLog {
 public:
  // storage must outlive the RaftLog.
  explicit RaftLog(const Storage& storage);

  // Follower side of AppendEntries. Returns the last new index when the entry
  // at (index, log_term) matches; truncates a conflicting suffix.
  std::optional<Index> maybe_append(Index index, Term log_term, Index committed,
                                    const std::vector<Entry>& entries);
  // Appends after truncating; entries[0].index must be > committed.
  Index append(const std::vector<Entry>& entries);
  // First index whose term differs (or that is new); 0 if all match.
  Index find_conflict(const std::vector<Entry>& entries) const;
  // Largest (i <= index, term(i)) with term(i) <= term: a conflict hint.
  std::pair<Index, Term> find_conflict_by_term(Index index, Term term) const;

  Index first_index() const;
  Index last_index() const;
  Term last_term() const;
  Result<Term> term(Index i) const;
  Term term_or_zero(Index i) const;
  bool match_term(Index i, Term t) const;
  bool is_up_to_date(Index last_index, Term last_term) const;
  // Index of the last entry the driver has persisted (0 if unknown).
  Index stable_last_index() const;

  bool maybe_commit(Index max_index, Term term);
  void commit_to(Index commit);
  void applied_to(Index index);
  void stable_to(Index i, Term t) { unstable_.stable_to(i, t); }
  void stable_snap_to(Index i) { unstable_.stable_snap_to(i); }
  void restore(Snapshot snapshot);

  // Entries [lo, hi) limited to max_bytes (at least one).
  Result<std::vector<Entry>> slice(Index lo, Index hi, uint64_t max_bytes) const;
  Result<std::vector<Entry>> entries_from(Index lo, uint64_t max_bytes) const;
  bool has_next_committed_entries() const;
  std::vector<Entry> next_committed_entries(uint64_t max_bytes) const;
  Result<Snapshot> snapshot() const;

  const std::vector<Entry>& unstable_entries() const { return unstable_.entries(); }
  const std::optional<Snapshot>& unstable_snapshot() const { return unstable_.snapshot(); }
  Index committed() const { return committed_; }
  Index applied() const { return applied_; }

 private:
  const Storage& storage_;
  UnstableLog unstable_;
  Index committed_;
  Index applied_;
};

}  // namespace suanli::consensus
