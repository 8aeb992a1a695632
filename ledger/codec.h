// Transaction codec: strict JSON decoding, RFC 8785 canonical form, signing
// message, hash, Ed25519 signing and verification (API.md "Transactions").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/json_lite.h"
#include "ledger/types.h"

namespace suanli::ledger {

inline constexpr size_t kTxBytesMax = 16 * 1024;  // canonical encoding, signature included
inline constexpr std::string_view kTxSigningPrefix = "suanli-tx-v1\n";

enum class TxErrorKind {
  kParse,     // -32700: not JSON, invalid UTF-8, lone surrogate
  kInvalid,   // -32001 invalid_transaction: data.field names the field
  kTooLarge,  // -32011 too_large
};

struct TxError {
  TxErrorKind kind = TxErrorKind::kInvalid;
  std::string field;  // e.g. "payload.amount", "payload.vouchers[1].voucher_id"
  std::string message;
};

// Where strict parsing found something nlohmann would silently accept.
struct JsonAnomaly {
  std::string path;  // dotted path as in TxError::field ("payload.amount", "tx.nonce")
  std::string message;
};

// A JSON document parsed strictly: duplicate keys, negative numbers, "-0",
// non-integer numbers and nesting deeper than `depth_max` are recorded as the
// first anomaly (with its path) instead of being silently normalised.
struct StrictJson {
  nlohmann::json value;
  std::optional<JsonAnomaly> anomaly;
};
// Returns nullopt (with a message) when the text is not JSON or not valid UTF-8.
std::optional<StrictJson> parse_strict(std::string_view text, std::string* error,
                                       size_t depth_max = 64);

// As parse_strict, but keeping every anomaly in document order (at most
// kJsonAnomaliesMax). For callers that decode one part of a larger document:
// the first anomaly of an RPC request may be its (legitimately negative) id
// and hide one inside params.tx; see anomaly_within.
inline constexpr size_t kJsonAnomaliesMax = 64;
struct StrictJsonAll {
  nlohmann::json value;
  std::vector<JsonAnomaly> anomalies;
};
std::optional<StrictJsonAll> parse_strict_all(std::string_view text, std::string* error,
                                              size_t depth_max = 64);
// The first of `anomalies` at or under the member at `path` ("params.tx"),
// with its path made relative to that member ("nonce"; "" for the member
// itself): the `anomaly` argument of decode_tx(value, anomaly).
std::optional<JsonAnomaly> anomaly_within(const std::vector<JsonAnomaly>& anomalies,
                                          std::string_view path);

// Decodes a transaction from its JSON text. Text that is already canonical
// takes a fast path (no JSON value is built); other text goes through the
// strict parser, where kReencode also checks that the typed form re-encodes
// to exactly the value's canonical bytes (a guard on the strict reader,
// asserted); block transactions, admitted by that check once, skip it.
enum class DecodeCheck { kReencode, kNone };
std::variant<Tx, TxError> decode_tx(std::string_view text,
                                    DecodeCheck check = DecodeCheck::kReencode);
// The fast path of decode_tx alone: the transaction when `text` is exactly
// the canonical encoding of a valid one, else nullopt (decode_tx then gives
// the answer, or the error, through the strict parser).
std::optional<Tx> decode_canonical_tx(std::string_view text);
// The transaction a LiteJson value (the `tx` of a request read by the RPC
// fast path) holds when every check of the strict path would pass on it,
// else nullopt: the caller then decodes the request strictly for the error.
std::optional<Tx> decode_tx_lite(LiteJson::Ref value);
// Decodes a transaction from an already-parsed value (for example params.tx of
// an RPC request). `anomaly` is the first anomaly of the value's subtree, with
// paths relative to the transaction object.
std::variant<Tx, TxError> decode_tx(const nlohmann::json& value,
                                    const std::optional<JsonAnomaly>& anomaly,
                                    DecodeCheck check = DecodeCheck::kReencode);

// RFC 8785 canonical JSON of a value holding only objects, arrays, strings,
// booleans, null and non-negative integers.
std::string jcs(const nlohmann::json& value);
// Appends `s` as a JCS string literal, quotes included.
void append_jcs_string(std::string& out, std::string_view s);

// The canonical JSON of `tx` (signature included) and its signing message,
// written straight from the typed fields: each equals the JCS of
// tx_to_json(tx, ...) with the prefix for the signing message, but no JSON
// value is built. Either output may be null.
void encode_tx(const Tx& tx, std::string* canonical, std::string* signing_message);

// JSON of a transaction built from its typed fields (without signature when
// `with_signature` is false). Used by builders (wallet, tests, benchmarks).
nlohmann::json tx_to_json(const Tx& tx, bool with_signature);

// Fills canonical, signing_message, hash and signature of `tx` from its typed
// fields, signing with the 32-byte Ed25519 seed.
void sign_tx(Tx& tx, const std::array<uint8_t, 32>& seed);

// Ed25519 verification of tx.signature over tx.signing_message by tx.signer.
bool verify_tx(const Tx& tx);

}  // namespace suanli::ledger
