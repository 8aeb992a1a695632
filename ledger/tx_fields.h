// FieldReader: typed, range-checked access to the members of one JSON object
// of a transaction, recording the first failure as a TxError naming the
// field by its dotted path. Private to the codec (ledger/tx_decode.cc).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ledger/codec.h"

namespace suanli::ledger {

inline constexpr uint64_t kJsonIntMax = (uint64_t{1} << 53) - 1;

class FieldReader {
 public:
  // `object` and `*error` must outlive the reader; `prefix` is the object's path.
  FieldReader(const nlohmann::json& object, std::string prefix, std::optional<TxError>* error)
      : object_(&object), prefix_(std::move(prefix)), error_(error) {}

  // Records the failure of member `name` unless one is already recorded; false.
  bool fail(std::string_view name, std::string message) const;
  std::string path(std::string_view name) const;

  // Fails on the first member (in key order) not in `allowed` or `optional`.
  bool members(std::initializer_list<std::string_view> allowed,
               std::initializer_list<std::string_view> optional = {}) const;
  bool has(std::string_view name) const { return object_->contains(name); }

  bool uint(std::string_view name, uint64_t min, uint64_t& out, uint64_t max = kJsonIntMax) const;
  // Text of min..max Unicode code points.
  bool text(std::string_view name, size_t min, size_t max, std::string& out) const;
  bool boolean(std::string_view name, bool& out) const;
  bool province(std::string_view name, std::string& out) const;
  bool credit_code(std::string_view name, std::string& out, bool allow_empty) const;
  bool node_id(std::string_view name, std::string& out) const;
  bool chain_id(std::string_view name, std::string& out) const;

  template <size_t N>
  bool hex(std::string_view name, std::array<uint8_t, N>& out) const {
    const std::string* s = string(name);
    if (s == nullptr) return false;
    auto bytes = from_hex_array<N>(*s);
    if (!bytes) return fail(name, "must be " + std::to_string(2 * N) + " lowercase hex digits");
    out = *bytes;
    return true;
  }

  template <typename E>
  bool enumeration(std::string_view name, std::optional<E> (*from_name)(std::string_view),
                   E& out) const {
    const std::string* s = string(name);
    if (s == nullptr) return false;
    auto value = from_name(*s);
    if (!value) return fail(name, "unknown value \"" + *s + "\"");
    out = *value;
    return true;
  }

  // A member that must be an object (or array), and the element `i` of an
  // array member that must be an object.
  std::optional<FieldReader> object(std::string_view name) const;
  const nlohmann::json* array(std::string_view name) const;
  std::optional<FieldReader> element(std::string_view array_name, size_t i) const;

 private:
  // The member, or nullptr after recording it as missing.
  const nlohmann::json* get(std::string_view name) const;
  // The member's string, or nullptr after recording it as missing or not a string.
  const std::string* string(std::string_view name) const;

  const nlohmann::json* object_;
  std::string prefix_;
  std::optional<TxError>* error_;
};

}  // namespace suanli::ledger
