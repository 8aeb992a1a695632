// FieldReader: typed, range-checked access to the members of one JSON object
// of a transaction, recording the first failure as a TxError naming the
// field by its dotted path. Private to the codec (ledger/tx_decode.cc).
//
// One reader over two representations: nlohmann's DOM (what the strict
// parser builds, with every error message) and LiteJson (the fast path for
// canonical text, which falls back to the strict parser on any failure).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ledger/codec.h"
#include "ledger/json_lite.h"

namespace suanli::ledger {

inline constexpr uint64_t kJsonIntMax = (uint64_t{1} << 53) - 1;

// What a value is, as far as the readers care.
enum class JsonKind : uint8_t {
  kNull,
  kBool,
  kUnsigned,  // a non-negative integer
  kNegative,  // a negative integer (or "-0")
  kFloat,     // a number with a fraction or exponent
  kString,
  kObject,
  kArray,
};

struct NlohmannAccess {
  using Ref = const nlohmann::json*;
  static JsonKind kind(Ref v);
  static bool find(Ref object, std::string_view key, Ref& out);
  static std::string_view str(Ref v) { return v->get_ref<const std::string&>(); }
  static uint64_t number(Ref v);
  static bool boolean(Ref v) { return v->get<bool>(); }
  static size_t size(Ref v) { return v->size(); }
  static Ref at(Ref v, size_t i) { return &(*v)[i]; }
  template <typename F>
  static bool each_key(Ref object, F&& f) {
    for (auto it = object->begin(); it != object->end(); ++it) {
      if (!f(std::string_view(it.key()))) return false;
    }
    return true;
  }
};

struct LiteAccess {
  using Ref = LiteJson::Ref;
  static JsonKind kind(Ref v);
  static bool find(Ref object, std::string_view key, Ref& out);
  static std::string_view str(Ref v) { return v.get().text; }
  static uint64_t number(Ref v) { return v.get().number; }
  static bool boolean(Ref v) { return v.get().boolean; }
  static size_t size(Ref v) { return v.get().count; }
  static Ref at(Ref v, size_t i) { return v.doc->element(v.get(), static_cast<uint32_t>(i)); }
  template <typename F>
  static bool each_key(Ref object, F&& f) {
    const LiteJson::Value& o = object.get();
    for (uint32_t i = 0; i < o.count; ++i) {
      if (!f(object.doc->member(o, i).key)) return false;
    }
    return true;
  }
};

template <typename Access>
class BasicFieldReader {
 public:
  using Ref = typename Access::Ref;
  // `object` and `*error` must outlive the reader; `prefix` is the object's path.
  BasicFieldReader(Ref object, std::string prefix, std::optional<TxError>* error)
      : object_(object), prefix_(std::move(prefix)), error_(error) {}

  // Records the failure of member `name` unless one is already recorded; false.
  bool fail(std::string_view name, std::string message) const;
  std::string path(std::string_view name) const;

  // Fails on the first member (in key order) not in `allowed` or `optional`.
  bool members(std::initializer_list<std::string_view> allowed,
               std::initializer_list<std::string_view> optional = {}) const;
  bool has(std::string_view name) const {
    Ref unused{};
    return Access::find(object_, name, unused);
  }

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
    std::string_view s;
    if (!string(name, s)) return false;
    if (s.size() != 2 * N || !from_hex(s, out.data(), N)) {
      return fail(name, "must be " + std::to_string(2 * N) + " lowercase hex digits");
    }
    return true;
  }

  template <typename E>
  bool enumeration(std::string_view name, std::optional<E> (*from_name)(std::string_view),
                   E& out) const {
    std::string_view s;
    if (!string(name, s)) return false;
    auto value = from_name(s);
    if (!value) return fail(name, "unknown value \"" + std::string(s) + "\"");
    out = *value;
    return true;
  }

  // A member that must be an object; the size of a member that must be an
  // array; the element `i` of that array, which must be an object. nullopt
  // after recording the failure.
  std::optional<BasicFieldReader> object(std::string_view name) const;
  std::optional<size_t> array(std::string_view name) const;
  std::optional<BasicFieldReader> element(std::string_view array_name, size_t i) const;

 private:
  // The member, or false after recording it as missing.
  bool get(std::string_view name, Ref& out) const;
  // The member's string, or false after recording it as missing or not a string.
  bool string(std::string_view name, std::string_view& out) const;

  Ref object_;
  std::string prefix_;
  std::optional<TxError>* error_;
};

using FieldReader = BasicFieldReader<NlohmannAccess>;
using LiteFieldReader = BasicFieldReader<LiteAccess>;

extern template class BasicFieldReader<NlohmannAccess>;
extern template class BasicFieldReader<LiteAccess>;

}  // namespace suanli::ledger
