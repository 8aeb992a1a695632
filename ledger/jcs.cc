// RFC 8785 JSON Canonicalization Scheme.
//
// Our own serializer rather than nlohmann's dump(): dump() throws on invalid
// UTF-8, orders keys by UTF-8 bytes (RFC 8785 orders by UTF-16 code units) and
// prints doubles differently from ECMAScript. Strings are written as
// ECMAScript's JSON.stringify does: only '"', '\\' and U+0000..U+001F are
// escaped (\b \t \n \f \r short forms, others \u00xx lowercase); DEL, U+2028
// and all other text stays literal.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "common/assert.h"
#include "ledger/codec.h"

namespace suanli::ledger {
namespace {

// Next code point of `s` at `i` (advancing `i`); invalid bytes count as one
// code point each, which only matters for ordering text that is not UTF-8.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto b0 = static_cast<uint8_t>(s[i++]);
  int extra = b0 >= 0xf0 ? 3 : b0 >= 0xe0 ? 2 : b0 >= 0xc0 ? 1 : 0;
  uint32_t cp = extra == 3   ? (b0 & 0x07u)
                : extra == 2 ? (b0 & 0x0fu)
                : extra == 1 ? (b0 & 0x1fu)
                             : b0;
  for (int k = 0; k < extra && i < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<uint8_t>(s[i++]) & 0x3fu);
  }
  return cp;
}

// Appends the UTF-16 code units of `s`.
std::u16string to_utf16(std::string_view s) {
  std::u16string out;
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp = next_code_point(s, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<uint8_t>(c) < 0x80; });
}

// RFC 8785 §3.2.3: keys sorted by their UTF-16 code units.
bool key_less(const std::string& a, const std::string& b) {
  if (is_ascii(a) && is_ascii(b)) return a < b;
  return to_utf16(a) < to_utf16(b);
}

}  // namespace

void append_jcs_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t plain = 0;  // start of the run of characters copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const auto u = static_cast<uint8_t>(c);
    if (u >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[u >> 4]);
        out.push_back(kHex[u & 0x0f]);
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out.push_back('"');
}

namespace {

// ECMAScript Number::toString (RFC 8785 §3.2.2.3) from the shortest
// round-trip digits that std::to_chars gives.
void write_double(std::string& out, double d) {
  SUANLI_ASSERT_MSG(std::isfinite(d), "JCS cannot encode NaN or infinity");
  if (d == 0) {
    out.push_back('0');
    return;
  }
  if (d < 0) {
    out.push_back('-');
    d = -d;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  SUANLI_ASSERT(res.ec == std::errc());
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp10 = std::stoi(std::string(sci.substr(e_pos + 1)));
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;
  if (k <= n && n <= 21) {
    out += digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
}

void write_value(std::string& out, const nlohmann::json& v);

void write_object(std::string& out, const nlohmann::json& v) {
  std::vector<const std::string*> keys;
  keys.reserve(v.size());
  for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(&it.key());
  std::sort(keys.begin(), keys.end(),
            [](const std::string* a, const std::string* b) { return key_less(*a, *b); });
  out.push_back('{');
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_jcs_string(out, *keys[i]);
    out.push_back(':');
    write_value(out, v.find(*keys[i]).value());
  }
  out.push_back('}');
}

void write_value(std::string& out, const nlohmann::json& v) {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null:
      out += "null";
      break;
    case T::boolean:
      out += v.get<bool>() ? "true" : "false";
      break;
    case T::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      break;
    case T::number_integer:
      out += std::to_string(v.get<int64_t>());
      break;
    case T::number_float:
      write_double(out, v.get<double>());
      break;
    case T::string:
      append_jcs_string(out, v.get_ref<const std::string&>());
      break;
    case T::object:
      write_object(out, v);
      break;
    case T::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        write_value(out, e);
      }
      out.push_back(']');
      break;
    }
    case T::binary:
    case T::discarded:
      SUANLI_ASSERT_MSG(false, "JCS of a binary or discarded JSON value");
  }
}

}  // namespace

std::string jcs(const nlohmann::json& value) {
  std::string out;
  write_value(out, value);
  return out;
}

}  // namespace suanli::ledger
