// Transaction JSON decoding (the node's first contact with outside input):
// any bytes give a transaction or an error, never a crash. A transaction
// that decodes re-encodes to its canonical bytes (decode_tx asserts it) and
// decodes again to the same hash.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "common/assert.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool init = (suanli::ledger::crypto_init(), true);
  (void)init;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = suanli::ledger::decode_tx(text);
  if (auto* tx = std::get_if<suanli::ledger::Tx>(&decoded)) {
    (void)suanli::ledger::verify_tx(*tx);
    auto again = suanli::ledger::decode_tx(tx->canonical, suanli::ledger::DecodeCheck::kNone);
    SUANLI_ASSERT(std::holds_alternative<suanli::ledger::Tx>(again));
    SUANLI_ASSERT(std::get<suanli::ledger::Tx>(again).hash == tx->hash);
  }
  return 0;
}
