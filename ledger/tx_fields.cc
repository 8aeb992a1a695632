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

const char* type_name(const json& v) {
  if (v.is_number_float()) return "a non-integer number";
  if (v.is_number()) return "a number";
  return v.type_name();
}

}  // namespace

bool FieldReader::fail(std::string_view name, std::string message) const {
  if (!error_->has_value())
    *error_ = TxError{TxErrorKind::kInvalid, path(name), std::move(message)};
  return false;
}

std::string FieldReader::path(std::string_view name) const {
  if (prefix_.empty()) return std::string(name);
  return prefix_ + "." + std::string(name);
}

bool FieldReader::members(std::initializer_list<std::string_view> allowed,
                          std::initializer_list<std::string_view> optional) const {
  for (auto it = object_->begin(); it != object_->end(); ++it) {
    const std::string& key = it.key();
    bool known = std::find(allowed.begin(), allowed.end(), key) != allowed.end() ||
                 std::find(optional.begin(), optional.end(), key) != optional.end();
    if (!known) return fail(key, "unknown member");
  }
  return true;
}

const json* FieldReader::get(std::string_view name) const {
  auto it = object_->find(name);
  if (it == object_->end()) {
    fail(name, "missing member");
    return nullptr;
  }
  return &*it;
}

const std::string* FieldReader::string(std::string_view name) const {
  const json* v = get(name);
  if (v == nullptr) return nullptr;
  if (!v->is_string()) {
    fail(name, std::string("must be a string, not ") + type_name(*v));
    return nullptr;
  }
  return &v->get_ref<const std::string&>();
}

bool FieldReader::uint(std::string_view name, uint64_t min, uint64_t& out, uint64_t max) const {
  const json* v = get(name);
  if (v == nullptr) return false;
  uint64_t n = 0;
  if (v->is_number_unsigned()) {
    n = v->get<uint64_t>();
  } else if (v->is_number_integer() && v->get<int64_t>() >= 0) {
    n = static_cast<uint64_t>(v->get<int64_t>());  // built in code, not parsed
  } else if (v->is_number_integer()) {
    return fail(name, "must be a non-negative integer");
  } else {
    return fail(name, std::string("must be an integer, not ") + type_name(*v));
  }
  if (n < min || n > max) {
    return fail(name, "must be " + std::to_string(min) + ".." +
                          (max == kJsonIntMax ? std::string("2^53-1") : std::to_string(max)));
  }
  out = n;
  return true;
}

bool FieldReader::text(std::string_view name, size_t min, size_t max, std::string& out) const {
  const std::string* s = string(name);
  if (s == nullptr) return false;
  size_t n = code_points(*s);
  if (n < min || n > max) {
    return fail(name, "must be " + std::to_string(min) + ".." + std::to_string(max) +
                          " characters, not " + std::to_string(n));
  }
  out = *s;
  return true;
}

bool FieldReader::boolean(std::string_view name, bool& out) const {
  const json* v = get(name);
  if (v == nullptr) return false;
  if (!v->is_boolean()) return fail(name, std::string("must be a boolean, not ") + type_name(*v));
  out = v->get<bool>();
  return true;
}

bool FieldReader::province(std::string_view name, std::string& out) const {
  const std::string* s = string(name);
  if (s == nullptr) return false;
  if (!is_province(*s)) return fail(name, "not a province code (CN-XX)");
  out = *s;
  return true;
}

bool FieldReader::credit_code(std::string_view name, std::string& out, bool allow_empty) const {
  const std::string* s = string(name);
  if (s == nullptr) return false;
  if (!(allow_empty && s->empty()) && !is_credit_code(*s)) {
    return fail(name, "not a unified social credit code (alphabet, length or check character)");
  }
  out = *s;
  return true;
}

bool FieldReader::node_id(std::string_view name, std::string& out) const {
  const std::string* s = string(name);
  if (s == nullptr) return false;
  if (!is_node_id(*s)) return fail(name, "must be 1..64 characters of [A-Za-z0-9._-]");
  out = *s;
  return true;
}

bool FieldReader::chain_id(std::string_view name, std::string& out) const {
  const std::string* s = string(name);
  if (s == nullptr) return false;
  if (!is_chain_id(*s)) return fail(name, "must be 1..64 printable ASCII characters");
  out = *s;
  return true;
}

std::optional<FieldReader> FieldReader::object(std::string_view name) const {
  const json* v = get(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    fail(name, std::string("must be an object, not ") + type_name(*v));
    return std::nullopt;
  }
  return FieldReader(*v, path(name), error_);
}

const json* FieldReader::array(std::string_view name) const {
  const json* v = get(name);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    fail(name, std::string("must be an array, not ") + type_name(*v));
    return nullptr;
  }
  return v;
}

std::optional<FieldReader> FieldReader::element(std::string_view array_name, size_t i) const {
  const json& list = object_->find(array_name).value();
  std::string name = std::string(array_name) + "[" + std::to_string(i) + "]";
  if (!list.at(i).is_object()) {
    fail(name, std::string("must be an object, not ") + type_name(list.at(i)));
    return std::nullopt;
  }
  return FieldReader(list.at(i), path(name), error_);
}

}  // namespace suanli::ledger
