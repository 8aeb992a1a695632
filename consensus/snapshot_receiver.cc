#include "consensus/snapshot_receiver.h"

#include <utility>

#include "common/assert.h"

namespace suanli::consensus {

ChunkOutcome SnapshotReceiver::add_chunk(const Message& m) {
  SUANLI_ASSERT(m.type == MessageType::kSnap);
  SUANLI_ASSERT(m.snap_offset + m.snap_data.size() <= m.snap_total);
  const bool same = active_ && meta_ == m.snapshot && total_ == m.snap_total;
  if (m.snap_offset == 0) {
    active_ = true;
    meta_ = m.snapshot;
    total_ = m.snap_total;
    data_ = m.snap_data;
  } else if (same && data_.size() == m.snap_offset) {
    data_ += m.snap_data;
  } else {
    // Out of order, duplicate or a different snapshot: ask for the offset we need.
    return ChunkOutcome{same ? data_.size() : 0, std::nullopt};
  }
  ChunkOutcome out{data_.size(), std::nullopt};
  if (data_.size() == total_) {
    out.snapshot = Snapshot{meta_, std::move(data_)};
    reset();
  }
  return out;
}

void SnapshotReceiver::reset() {
  active_ = false;
  meta_ = SnapshotMeta{};
  total_ = 0;
  data_.clear();
}

}  // namespace suanli::consensus
