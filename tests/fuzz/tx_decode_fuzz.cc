// Transaction JSON decoding (the node's first contact with outside input):
// any bytes give a transaction or an error, never a crash. A transaction
// that decodes re-encodes to its canonical bytes (decode_tx asserts it) and
// decodes again to the same hash. The fast path for canonical text never
// disagrees with the strict parser: it either declines, or both give the
// same transaction.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "common/assert.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"

namespace {
namespace L = suanli::ledger;

std::variant<L::Tx, L::TxError> strict_decode(std::string_view text) {
  std::string error;
  auto parsed = L::parse_strict(text, &error);
  if (!parsed) return L::TxError{L::TxErrorKind::kParse, "", error};
  return L::decode_tx(parsed->value, parsed->anomaly);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool init = (L::crypto_init(), true);
  (void)init;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = L::decode_tx(text);
  auto strict = strict_decode(text);
  auto fast = L::decode_canonical_tx(text);
  SUANLI_ASSERT(decoded.index() == strict.index());
  if (auto* tx = std::get_if<L::Tx>(&decoded)) {
    const L::Tx& s = std::get<L::Tx>(strict);
    SUANLI_ASSERT(tx->canonical == s.canonical && tx->hash == s.hash);
    SUANLI_ASSERT(tx->signing_message == s.signing_message);
    SUANLI_ASSERT(!fast || (fast->canonical == s.canonical && fast->hash == s.hash));
    SUANLI_ASSERT(fast.has_value() == (text == s.canonical));
    (void)L::verify_tx(*tx);
    auto again = L::decode_tx(tx->canonical, L::DecodeCheck::kNone);
    SUANLI_ASSERT(std::holds_alternative<L::Tx>(again));
    SUANLI_ASSERT(std::get<L::Tx>(again).hash == tx->hash);
  } else {
    SUANLI_ASSERT(!fast);
    const auto& a = std::get<L::TxError>(decoded);
    const auto& b = std::get<L::TxError>(strict);
    SUANLI_ASSERT(a.kind == b.kind && a.field == b.field && a.message == b.message);
  }
  return 0;
}
