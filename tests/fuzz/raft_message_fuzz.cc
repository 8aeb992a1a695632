// Raft message decoding (peer frames): any bytes give a message or an error,
// never a crash; a decoded message re-encodes to bytes that decode to it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/assert.h"
#include "consensus/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto m = suanli::consensus::decode_message(in);
  if (m.is_ok()) {
    auto again = suanli::consensus::decode_message(suanli::consensus::encode_message(*m));
    SUANLI_ASSERT(again.is_ok());
    SUANLI_ASSERT(*again == *m);
  }
  return 0;
}
