#include "consensus/memory_storage.h"

#include <algorithm>
#include <utility>

#include "common/assert.h"
#include "consensus/codec.h"

namespace suanli::consensus {

uint64_t entries_bytes(const std::vector<Entry>& entries) {
  uint64_t total = 0;
  for (const Entry& e : entries) total += entry_bytes(e);
  return total;
}

uint64_t payload_bytes(const std::vector<Entry>& entries) {
  uint64_t total = 0;
  for (const Entry& e : entries) total += e.data.size();
  return total;
}

void limit_entries_bytes(std::vector<Entry>& entries, uint64_t max_bytes) {
  uint64_t total = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    total += entry_bytes(entries[i]);
    if (i > 0 && total > max_bytes) {
      entries.resize(i);
      return;
    }
  }
}

MemoryStorage::MemoryStorage() : entries_(1) {}

Result<std::vector<Entry>> MemoryStorage::entries(Index lo, Index hi,
                                                  uint64_t max_bytes) const {
  if (lo <= offset()) return Status::error(kErrCompacted, "entries compacted");
  SUANLI_ASSERT(lo <= hi);
  SUANLI_ASSERT_MSG(hi <= last_index() + 1, "entries out of bound");
  if (entries_.size() == 1) return Status::error(kErrUnavailable, "no entries");
  std::vector<Entry> out(entries_.begin() + static_cast<ptrdiff_t>(lo - offset()),
                         entries_.begin() + static_cast<ptrdiff_t>(hi - offset()));
  limit_entries_bytes(out, max_bytes);
  return out;
}

Result<Term> MemoryStorage::term(Index i) const {
  if (i < offset()) return Status::error(kErrCompacted, "term compacted");
  if (i - offset() >= entries_.size()) return Status::error(kErrUnavailable, "term unavailable");
  return entries_[i - offset()].term;
}

Index MemoryStorage::first_index() const { return offset() + 1; }

Index MemoryStorage::last_index() const { return offset() + entries_.size() - 1; }

void MemoryStorage::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  const Index first = first_index();
  const Index last = entries.front().index + entries.size() - 1;
  if (last < first) return;  // all compacted already
  size_t skip = 0;
  if (first > entries.front().index) skip = first - entries.front().index;
  const Index start = entries[skip].index;
  const Index pos = start - offset();
  SUANLI_ASSERT_MSG(pos <= entries_.size(), "append leaves a gap in the log");
  entries_.resize(pos);
  entries_.insert(entries_.end(), entries.begin() + static_cast<ptrdiff_t>(skip), entries.end());
  for (size_t i = 1; i < entries_.size(); ++i) {
    SUANLI_ASSERT(entries_[i].index == entries_[i - 1].index + 1);
  }
}

Status MemoryStorage::apply_snapshot(Snapshot snapshot) {
  if (snapshot.meta.index <= snapshot_.meta.index) {
    return Status::error(kErrSnapshotOutOfDate, "snapshot older than the stored one");
  }
  entries_.assign(1, Entry{snapshot.meta.term, snapshot.meta.index, EntryType::kNormal, {}});
  snapshot_ = std::move(snapshot);
  return Status::ok();
}

Status MemoryStorage::create_snapshot(Index index, const ConfState& conf_state, Bytes data) {
  if (index <= snapshot_.meta.index) {
    return Status::error(kErrSnapshotOutOfDate, "snapshot older than the stored one");
  }
  SUANLI_ASSERT(index <= last_index());
  snapshot_.meta.index = index;
  snapshot_.meta.term = entries_[index - offset()].term;
  snapshot_.meta.conf_state = conf_state;
  snapshot_.data = std::move(data);
  return Status::ok();
}

Status MemoryStorage::compact(Index index) {
  if (index <= offset()) return Status::error(kErrCompacted, "already compacted");
  SUANLI_ASSERT(index <= last_index());
  const size_t drop = index - offset();
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(drop));
  entries_.front().data.clear();
  entries_.front().type = EntryType::kNormal;
  return Status::ok();
}

void MemoryStorage::bootstrap(const std::vector<NodeId>& voters) {
  SUANLI_ASSERT(last_index() == 0);
  std::vector<NodeId> sorted = voters;
  std::sort(sorted.begin(), sorted.end());
  std::vector<Entry> entries;
  for (NodeId id : sorted) {
    entries.push_back(Entry{1, entries.size() + 1, EntryType::kConfChange,
                            encode_conf_change(ConfChange{ConfChangeType::kAddNode, id})});
  }
  append(entries);
  snapshot_.meta.conf_state.voters = sorted;
  hard_state_ = HardState{1, kNoNode, entries.size()};
}

}  // namespace suanli::consensus
