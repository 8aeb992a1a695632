#include "consensus/unstable_log.h"

#include <utility>

#include "common/assert.h"

namespace suanli::consensus {

std::optional<Index> UnstableLog::maybe_first_index() const {
  if (snapshot_) return snapshot_->meta.index + 1;
  return std::nullopt;
}

std::optional<Index> UnstableLog::maybe_last_index() const {
  if (!entries_.empty()) return offset_ + entries_.size() - 1;
  if (snapshot_) return snapshot_->meta.index;
  return std::nullopt;
}

std::optional<Term> UnstableLog::maybe_term(Index i) const {
  if (i < offset_) {
    if (snapshot_ && snapshot_->meta.index == i) return snapshot_->meta.term;
    return std::nullopt;
  }
  const std::optional<Index> last = maybe_last_index();
  if (!last || i > *last) return std::nullopt;
  if (entries_.empty()) return std::nullopt;  // i == snapshot index == offset - 1 handled above
  return entries_[i - offset_].term;
}

void UnstableLog::stable_to(Index i, Term t) {
  const std::optional<Term> term = maybe_term(i);
  if (!term || *term != t || i < offset_) return;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(i + 1 - offset_));
  offset_ = i + 1;
}

void UnstableLog::stable_snap_to(Index i) {
  if (snapshot_ && snapshot_->meta.index == i) snapshot_.reset();
}

void UnstableLog::restore(Snapshot snapshot) {
  offset_ = snapshot.meta.index + 1;
  entries_.clear();
  snapshot_ = std::move(snapshot);
}

void UnstableLog::truncate_and_append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  const Index after = entries.front().index;
  if (after == offset_ + entries_.size()) {
    // Contiguous: plain append.
  } else if (after <= offset_) {
    // Replaces everything unstable; the stable suffix >= after is superseded.
    offset_ = after;
    entries_.clear();
  } else {
    entries_.resize(after - offset_);
  }
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

std::vector<Entry> UnstableLog::slice(Index lo, Index hi) const {
  SUANLI_ASSERT(lo <= hi);
  SUANLI_ASSERT(lo >= offset_);
  SUANLI_ASSERT(hi <= offset_ + entries_.size());
  return std::vector<Entry>(entries_.begin() + static_cast<ptrdiff_t>(lo - offset_),
                            entries_.begin() + static_cast<ptrdiff_t>(hi - offset_));
}

}  // namespace suanli::consensus
