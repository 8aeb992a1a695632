#include "consensus/raft_log.h"

#include <algorithm>

#include "common/assert.h"
#include "consensus/memory_storage.h"

namespace suanli::consensus {

RaftLog::RaftLog(const Storage& storage)
    : storage_(storage), unstable_(storage.last_index() + 1) {
  committed_ = storage.first_index() - 1;
  applied_ = committed_;
}

std::optional<Index> RaftLog::maybe_append(Index index, Term log_term, Index committed,
                                           const std::vector<Entry>& entries) {
  if (!match_term(index, log_term)) return std::nullopt;
  const Index last_new = index + entries.size();
  const Index conflict = find_conflict(entries);
  if (conflict != 0) {
    SUANLI_ASSERT_MSG(conflict > committed_, "conflict with a committed entry");
    const Index skip = conflict - (index + 1);
    append(std::vector<Entry>(entries.begin() + static_cast<ptrdiff_t>(skip), entries.end()));
  }
  commit_to(std::min(committed, last_new));
  return last_new;
}

Index RaftLog::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return last_index();
  SUANLI_ASSERT_MSG(entries.front().index > committed_, "append below commit");
  for (size_t i = 1; i < entries.size(); ++i) {
    SUANLI_ASSERT(entries[i].index == entries[i - 1].index + 1);
  }
  unstable_.truncate_and_append(entries);
  return last_index();
}

Index RaftLog::find_conflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!match_term(e.index, e.term)) return e.index;
  }
  return 0;
}

std::pair<Index, Term> RaftLog::find_conflict_by_term(Index index, Term term) const {
  for (; index > 0; --index) {
    Result<Term> t = this->term(index);
    if (!t.is_ok()) return {index, 0};
    if (*t <= term) return {index, *t};
  }
  return {0, 0};
}

Index RaftLog::first_index() const {
  if (auto i = unstable_.maybe_first_index()) return *i;
  return storage_.first_index();
}

Index RaftLog::last_index() const {
  if (auto i = unstable_.maybe_last_index()) return *i;
  return storage_.last_index();
}

Term RaftLog::last_term() const { return term_or_zero(last_index()); }

Result<Term> RaftLog::term(Index i) const {
  const Index dummy = first_index() - 1;
  if (i < dummy) return Status::error(kErrCompacted, "term compacted");
  if (i > last_index()) return Status::error(kErrUnavailable, "term unavailable");
  if (auto t = unstable_.maybe_term(i)) return *t;
  return storage_.term(i);
}

Term RaftLog::term_or_zero(Index i) const {
  Result<Term> t = term(i);
  return t.is_ok() ? *t : 0;
}

bool RaftLog::match_term(Index i, Term t) const {
  Result<Term> got = term(i);
  return got.is_ok() && *got == t;
}

bool RaftLog::is_up_to_date(Index last, Term t) const {
  return t > last_term() || (t == last_term() && last >= last_index());
}

Index RaftLog::stable_last_index() const {
  if (unstable_.snapshot()) return 0;
  if (!unstable_.entries().empty()) {
    return std::min(storage_.last_index(), unstable_.offset() - 1);
  }
  return storage_.last_index();
}

bool RaftLog::maybe_commit(Index max_index, Term t) {
  // Figure 8: only an entry of the leader's current term is committed by
  // counting replicas; earlier entries commit with it.
  if (max_index > committed_ && term_or_zero(max_index) == t) {
    commit_to(max_index);
    return true;
  }
  return false;
}

void RaftLog::commit_to(Index commit) {
  if (commit <= committed_) return;
  SUANLI_ASSERT_MSG(commit <= last_index(), "commit beyond the log");
  committed_ = commit;
}

void RaftLog::applied_to(Index index) {
  if (index == 0) return;
  SUANLI_ASSERT(index <= committed_);
  SUANLI_ASSERT(index >= applied_);
  applied_ = index;
}

void RaftLog::restore(Snapshot snapshot) {
  committed_ = snapshot.meta.index;
  unstable_.restore(std::move(snapshot));
}

Result<std::vector<Entry>> RaftLog::slice(Index lo, Index hi, uint64_t max_bytes) const {
  SUANLI_ASSERT(lo <= hi);
  if (lo < first_index()) return Status::error(kErrCompacted, "slice compacted");
  SUANLI_ASSERT_MSG(hi <= last_index() + 1, "slice beyond the log");
  std::vector<Entry> out;
  if (lo == hi) return out;
  const Index offset = unstable_.offset();
  if (lo < offset) {
    Result<std::vector<Entry>> stored = storage_.entries(lo, std::min(hi, offset), max_bytes);
    if (!stored.is_ok()) return stored.status();
    out = std::move(*stored);
    if (out.size() < std::min(hi, offset) - lo) return out;  // size limit reached
  }
  if (hi > offset) {
    std::vector<Entry> tail = unstable_.slice(std::max(lo, offset), hi);
    out.insert(out.end(), tail.begin(), tail.end());
  }
  limit_entries_bytes(out, max_bytes);
  return out;
}

Result<std::vector<Entry>> RaftLog::entries_from(Index lo, uint64_t max_bytes) const {
  if (lo > last_index()) return std::vector<Entry>{};
  return slice(lo, last_index() + 1, max_bytes);
}

bool RaftLog::has_next_committed_entries() const {
  const Index lo = std::max(applied_ + 1, first_index());
  return committed_ + 1 > lo;
}

std::vector<Entry> RaftLog::next_committed_entries(uint64_t max_bytes) const {
  if (!has_next_committed_entries()) return {};
  const Index lo = std::max(applied_ + 1, first_index());
  Result<std::vector<Entry>> out = slice(lo, committed_ + 1, max_bytes);
  SUANLI_ASSERT_MSG(out.is_ok(), "committed entries unavailable");
  return std::move(*out);
}

Result<Snapshot> RaftLog::snapshot() const {
  if (unstable_.snapshot()) return *unstable_.snapshot();
  return storage_.snapshot();
}

}  // namespace suanli::consensus
