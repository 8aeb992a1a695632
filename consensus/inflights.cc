#include "consensus/inflights.h"

#include "common/assert.h"

namespace suanli::consensus {

void Inflights::add(Index index, uint64_t bytes) {
  SUANLI_ASSERT_MSG(!full(), "add to full inflights");
  SUANLI_ASSERT(items_.empty() || items_.back().index < index);
  items_.push_back(Item{index, bytes});
  bytes_ += bytes;
}

void Inflights::free_le(Index index) {
  while (!items_.empty() && items_.front().index <= index) {
    SUANLI_ASSERT(bytes_ >= items_.front().bytes);
    bytes_ -= items_.front().bytes;
    items_.pop_front();
  }
}

void Inflights::free_first_one() {
  if (!items_.empty()) free_le(items_.front().index);
}

void Inflights::reset() {
  items_.clear();
  bytes_ = 0;
}

}  // namespace suanli::consensus
