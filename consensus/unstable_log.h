// UnstableLog: entries (and possibly one snapshot) the core has accepted but
// the driver has not yet persisted. Entry i sits at entries_[i - offset_].
#pragma once

#include <optional>
#include <vector>

#include "consensus/types.h"

namespace suanli::consensus {

class UnstableLog {
 public:
  explicit UnstableLog(Index offset) : offset_(offset) {}

  std::optional<Index> maybe_first_index() const;
  std::optional<Index> maybe_last_index() const;
  std::optional<Term> maybe_term(Index i) const;

  // The driver persisted entries up to (i, t): drop them if still current.
  void stable_to(Index i, Term t);
  void stable_snap_to(Index i);
  void restore(Snapshot snapshot);
  void truncate_and_append(const std::vector<Entry>& entries);
  // Entries [lo, hi); both must lie within [offset_, offset_ + size].
  std::vector<Entry> slice(Index lo, Index hi) const;

  const std::vector<Entry>& entries() const { return entries_; }
  const std::optional<Snapshot>& snapshot() const { return snapshot_; }
  Index offset() const { return offset_; }

 private:
  std::optional<Snapshot> snapshot_;
  std::vector<Entry> entries_;
  Index offset_;
};

}  // namespace suanli::consensus
