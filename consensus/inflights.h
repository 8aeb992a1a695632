// Inflights: the kApp messages a leader has sent to one follower and not yet
// seen acknowledged, bounded by count and bytes (flow control).
#pragma once

#include <cstdint>
#include <deque>

#include "consensus/types.h"

namespace suanli::consensus {

class Inflights {
 public:
  Inflights(uint32_t max_msgs, uint64_t max_bytes) : max_msgs_(max_msgs), max_bytes_(max_bytes) {}

  // Records a message whose last entry is index; indexes must increase.
  void add(Index index, uint64_t bytes);
  // Frees every message whose last index is <= index.
  void free_le(Index index);
  // Frees the oldest message (its ack may have been lost).
  void free_first_one();
  bool full() const { return items_.size() >= max_msgs_ || bytes_ >= max_bytes_; }
  size_t count() const { return items_.size(); }
  uint64_t bytes() const { return bytes_; }
  void reset();

 private:
  struct Item {
    Index index;
    uint64_t bytes;
  };
  uint32_t max_msgs_;
  uint64_t max_bytes_;
  std::deque<Item> items_;  // at most max_msgs_ items
  uint64_t bytes_ = 0;
};

}  // namespace suanli::consensus
