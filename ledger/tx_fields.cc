// FieldReader (ledger/tx_fields.h).
#include "ledger/tx_fields.h"

#include <algorithm>

#include "ledger/validate.h"

namespace suanli::ledger {

using nlohmann::json;

namespace {

constexpr size_t kIdentifierMax = 64;  // chain_id and node_id

bool is_node_id(std::string_view s) {
  if (s.empty() || s.size() > kIdentifierMax) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool is_chain_id(std::string_view s) {
  if (s.empty() || s.size() > kIdentifierMax) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

const char* kind_name(JsonKind k) {
  switch (k) {
    case JsonKind::kNull:
      return "null";
    case JsonKind::kBool:
      return "boolean";
    case JsonKind::kUnsigned:
    case JsonKind::kNegative:
      return "a number";
    case JsonKind::kFloat:
      return "a non-integer number";
    case JsonKind::kString:
      return "string";
    case JsonKind::kObject:
      return "object";
    case JsonKind::kArray:
      return "array";
  }
  return "a value";
}

}  // namespace

JsonKind NlohmannAccess::kind(Ref v) {
  switch (v->type()) {
    case json::value_t::boolean:
      return JsonKind::kBool;
    case json::value_t::number_unsigned:
      return JsonKind::kUnsigned;
    case json::value_t::number_integer:
      // Parsed text gives signed integers only for negative numbers and "-0";
      // values built in code may hold non-negative ones.
      return v->get<int64_t>() >= 0 ? JsonKind::kUnsigned : JsonKind::kNegative;
    case json::value_t::number_float:
      return JsonKind::kFloat;
    case json::value_t::string:
      return JsonKind::kString;
    case json::value_t::object:
      return JsonKind::kObject;
    case json::value_t::array:
      return JsonKind::kArray;
    default:
      return JsonKind::kNull;
  }
}

bool NlohmannAccess::find(Ref object, std::string_view key, Ref& out) {
  auto it = object->find(key);
  if (it == object->end()) return false;
  out = &*it;
  return true;
}

uint64_t NlohmannAccess::number(Ref v) {
  return v->is_number_unsigned() ? v->get<uint64_t>() : static_cast<uint64_t>(v->get<int64_t>());
}

JsonKind LiteAccess::kind(Ref v) {
  switch (v.get().kind) {
    case LiteJson::Kind::kNull:
      return JsonKind::kNull;
    case LiteJson::Kind::kBool:
      return JsonKind::kBool;
    case LiteJson::Kind::kUint:
      return JsonKind::kUnsigned;
    case LiteJson::Kind::kString:
      return JsonKind::kString;
    case LiteJson::Kind::kObject:
      return JsonKind::kObject;
    case LiteJson::Kind::kArray:
      return JsonKind::kArray;
  }
  return JsonKind::kNull;
}

bool LiteAccess::find(Ref object, std::string_view key, Ref& out) {
  const LiteJson::Value& o = object.get();
  for (uint32_t i = 0; i < o.count; ++i) {
    const LiteJson::Member& m = object.doc->member(o, i);
    if (m.key == key) {
      out = LiteJson::Ref{object.doc, m.value};
      return true;
    }
  }
  return false;
}

template <typename A>
bool BasicFieldReader<A>::fail(std::string_view name, std::string message) const {
  if (!error_->has_value())
    *error_ = TxError{TxErrorKind::kInvalid, path(name), std::move(message)};
  return false;
}

template <typename A>
std::string BasicFieldReader<A>::path(std::string_view name) const {
  if (prefix_.empty()) return std::string(name);
  return prefix_ + "." + std::string(name);
}

template <typename A>
bool BasicFieldReader<A>::members(std::initializer_list<std::string_view> allowed,
                                  std::initializer_list<std::string_view> optional) const {
  return A::each_key(object_, [&](std::string_view key) {
    bool known = std::find(allowed.begin(), allowed.end(), key) != allowed.end() ||
                 std::find(optional.begin(), optional.end(), key) != optional.end();
    return known || fail(key, "unknown member");
  });
}

template <typename A>
bool BasicFieldReader<A>::get(std::string_view name, Ref& out) const {
  if (A::find(object_, name, out)) return true;
  return fail(name, "missing member");
}

template <typename A>
bool BasicFieldReader<A>::string(std::string_view name, std::string_view& out) const {
  Ref v{};
  if (!get(name, v)) return false;
  const JsonKind k = A::kind(v);
  if (k != JsonKind::kString) return fail(name, std::string("must be a string, not ") + kind_name(k));
  out = A::str(v);
  return true;
}

template <typename A>
bool BasicFieldReader<A>::uint(std::string_view name, uint64_t min, uint64_t& out,
                               uint64_t max) const {
  Ref v{};
  if (!get(name, v)) return false;
  const JsonKind k = A::kind(v);
  if (k == JsonKind::kNegative) return fail(name, "must be a non-negative integer");
  if (k != JsonKind::kUnsigned) {
    return fail(name, std::string("must be an integer, not ") + kind_name(k));
  }
  const uint64_t n = A::number(v);
  if (n < min || n > max) {
    return fail(name, "must be " + std::to_string(min) + ".." +
                          (max == kJsonIntMax ? std::string("2^53-1") : std::to_string(max)));
  }
  out = n;
  return true;
}

template <typename A>
bool BasicFieldReader<A>::text(std::string_view name, size_t min, size_t max,
                               std::string& out) const {
  std::string_view s;
  if (!string(name, s)) return false;
  size_t n = code_points(s);
  if (n < min || n > max) {
    return fail(name, "must be " + std::to_string(min) + ".." + std::to_string(max) +
                          " characters, not " + std::to_string(n));
  }
  out = s;
  return true;
}

template <typename A>
bool BasicFieldReader<A>::boolean(std::string_view name, bool& out) const {
  Ref v{};
  if (!get(name, v)) return false;
  const JsonKind k = A::kind(v);
  if (k != JsonKind::kBool) return fail(name, std::string("must be a boolean, not ") + kind_name(k));
  out = A::boolean(v);
  return true;
}

template <typename A>
bool BasicFieldReader<A>::province(std::string_view name, std::string& out) const {
  std::string_view s;
  if (!string(name, s)) return false;
  if (!is_province(s)) return fail(name, "not a province code (CN-XX)");
  out = s;
  return true;
}

template <typename A>
bool BasicFieldReader<A>::credit_code(std::string_view name, std::string& out,
                                      bool allow_empty) const {
  std::string_view s;
  if (!string(name, s)) return false;
  if (!(allow_empty && s.empty()) && !is_credit_code(s)) {
    return fail(name, "not a unified social credit code (alphabet, length or check character)");
  }
  out = s;
  return true;
}

template <typename A>
bool BasicFieldReader<A>::node_id(std::string_view name, std::string& out) const {
  std::string_view s;
  if (!string(name, s)) return false;
  if (!is_node_id(s)) return fail(name, "must be 1..64 characters of [A-Za-z0-9._-]");
  out = s;
  return true;
}

template <typename A>
bool BasicFieldReader<A>::chain_id(std::string_view name, std::string& out) const {
  std::string_view s;
  if (!string(name, s)) return false;
  if (!is_chain_id(s)) return fail(name, "must be 1..64 printable ASCII characters");
  out = s;
  return true;
}

template <typename A>
std::optional<BasicFieldReader<A>> BasicFieldReader<A>::object(std::string_view name) const {
  Ref v{};
  if (!get(name, v)) return std::nullopt;
  const JsonKind k = A::kind(v);
  if (k != JsonKind::kObject) {
    fail(name, std::string("must be an object, not ") + kind_name(k));
    return std::nullopt;
  }
  return BasicFieldReader(v, path(name), error_);
}

template <typename A>
std::optional<size_t> BasicFieldReader<A>::array(std::string_view name) const {
  Ref v{};
  if (!get(name, v)) return std::nullopt;
  const JsonKind k = A::kind(v);
  if (k != JsonKind::kArray) {
    fail(name, std::string("must be an array, not ") + kind_name(k));
    return std::nullopt;
  }
  return A::size(v);
}

template <typename A>
std::optional<BasicFieldReader<A>> BasicFieldReader<A>::element(std::string_view array_name,
                                                                size_t i) const {
  Ref list{};
  A::find(object_, array_name, list);
  Ref item = A::at(list, i);
  std::string name = std::string(array_name) + "[" + std::to_string(i) + "]";
  const JsonKind k = A::kind(item);
  if (k != JsonKind::kObject) {
    fail(name, std::string("must be an object, not ") + kind_name(k));
    return std::nullopt;
  }
  return BasicFieldReader(item, path(name), error_);
}

template class BasicFieldReader<NlohmannAccess>;
template class BasicFieldReader<LiteAccess>;

}  // namespace suanli::ledger
