// Block decoding (Raft entries from the leader): any bytes give a block or
// nothing, never a crash; a decoded block re-encodes to the same bytes'
// meaning.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/assert.h"
#include "ledger/block.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto b = suanli::ledger::decode_block(in, 8192);
  if (b) {
    auto again = suanli::ledger::decode_block(suanli::ledger::encode_block(*b), 8192);
    SUANLI_ASSERT(again.has_value());
    SUANLI_ASSERT(again->header.hash() == b->header.hash());
    SUANLI_ASSERT(again->txs == b->txs);
  }
  return 0;
}
