// LiteJson (ledger/json_lite.h). Only what the strict parser (nlohmann's
// lexer) also accepts is accepted here, with the same value: UTF-8 is
// checked as RFC 3629 defines it (no overlong forms, no surrogates, nothing
// above U+10FFFF), raw control characters are refused, and every escape but
// a surrogate \u is decoded.
#include "ledger/json_lite.h"

#include <limits>

namespace suanli::ledger {

class LiteJson::Parser {
 public:
  Parser(LiteJson& doc, std::string_view text) : doc_(doc), s_(text) {}

  bool run() {
    doc_.values_.clear();
    doc_.members_.clear();
    doc_.elements_.clear();
    doc_.unescaped_.clear();
    scratch_members_.clear();
    scratch_elements_.clear();
    if (!value(0)) return false;
    return pos_ == s_.size();
  }

 private:
  bool value(size_t depth) {
    if (pos_ >= s_.size()) return false;
    const auto index = static_cast<uint32_t>(doc_.values_.size());
    doc_.values_.emplace_back();
    switch (s_[pos_]) {
      case '{':
        return object(index, depth + 1);
      case '[':
        return array(index, depth + 1);
      case '"': {
        std::string_view text;
        if (!string(text)) return false;
        Value& v = doc_.values_[index];
        v.kind = Kind::kString;
        v.text = text;
        return true;
      }
      case 't':
        return literal("true", index, Kind::kBool, true);
      case 'f':
        return literal("false", index, Kind::kBool, false);
      case 'n':
        return literal("null", index, Kind::kNull, false);
      default:
        return number(index);
    }
  }

  bool literal(std::string_view word, uint32_t index, Kind kind, bool b) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    Value& v = doc_.values_[index];
    v.kind = kind;
    v.boolean = b;
    return true;
  }

  // Digits only, no leading zero: a sign, fraction or exponent is left to
  // the strict parser.
  bool number(uint32_t index) {
    const size_t start = pos_;
    uint64_t n = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      const auto d = static_cast<uint64_t>(s_[pos_] - '0');
      if (n > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
      n = n * 10 + d;
      ++pos_;
    }
    if (pos_ == start) return false;
    if (s_[start] == '0' && pos_ - start > 1) return false;
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) return false;
    Value& v = doc_.values_[index];
    v.kind = Kind::kUint;
    v.number = n;
    return true;
  }

  bool object(uint32_t index, size_t depth) {
    if (depth > kLiteDepthMax) return false;
    ++pos_;  // '{'
    const size_t start = scratch_members_.size();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
    } else {
      while (true) {
        std::string_view key;
        if (pos_ >= s_.size() || s_[pos_] != '"' || !string(key)) return false;
        if (pos_ >= s_.size() || s_[pos_] != ':') return false;
        ++pos_;
        const auto child = static_cast<uint32_t>(doc_.values_.size());
        if (!value(depth)) return false;
        scratch_members_.push_back(Member{key, child});
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_] != '}') return false;
        ++pos_;
        break;
      }
    }
    Value& v = doc_.values_[index];
    v.kind = Kind::kObject;
    v.first = static_cast<uint32_t>(doc_.members_.size());
    v.count = static_cast<uint32_t>(scratch_members_.size() - start);
    doc_.members_.insert(doc_.members_.end(), scratch_members_.begin() + static_cast<long>(start),
                         scratch_members_.end());
    scratch_members_.resize(start);
    return true;
  }

  bool array(uint32_t index, size_t depth) {
    if (depth > kLiteDepthMax) return false;
    ++pos_;  // '['
    const size_t start = scratch_elements_.size();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
    } else {
      while (true) {
        const auto child = static_cast<uint32_t>(doc_.values_.size());
        if (!value(depth)) return false;
        scratch_elements_.push_back(child);
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_] != ']') return false;
        ++pos_;
        break;
      }
    }
    Value& v = doc_.values_[index];
    v.kind = Kind::kArray;
    v.first = static_cast<uint32_t>(doc_.elements_.size());
    v.count = static_cast<uint32_t>(scratch_elements_.size() - start);
    doc_.elements_.insert(doc_.elements_.end(),
                          scratch_elements_.begin() + static_cast<long>(start),
                          scratch_elements_.end());
    scratch_elements_.resize(start);
    return true;
  }

  // The length of the valid UTF-8 sequence starting at `i` (RFC 3629), or 0.
  size_t utf8_sequence(size_t i) const {
    auto at = [&](size_t k) -> int {
      return i + k < s_.size() ? static_cast<uint8_t>(s_[i + k]) : -1;
    };
    auto cont = [&](size_t k, int lo = 0x80, int hi = 0xbf) {
      const int c = at(k);
      return c >= lo && c <= hi;
    };
    const int b0 = at(0);
    if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
    if (b0 == 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
    if ((b0 >= 0xe1 && b0 <= 0xec) || b0 == 0xee || b0 == 0xef) return cont(1) && cont(2) ? 3 : 0;
    if (b0 == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
    if (b0 == 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (b0 == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
    return 0;
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  // At the opening quote; leaves pos_ after the closing one.
  bool string(std::string_view& out) {
    ++pos_;
    const size_t start = pos_;
    std::string* decoded = nullptr;
    size_t plain = start;  // start of the run not yet copied into `decoded`
    while (true) {
      if (pos_ >= s_.size()) return false;
      const auto c = static_cast<uint8_t>(s_[pos_]);
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c >= 0x80) {
        const size_t n = utf8_sequence(pos_);
        if (n == 0) return false;
        pos_ += n;
        continue;
      }
      if (c != '\\') {
        ++pos_;
        continue;
      }
      if (decoded == nullptr) decoded = &doc_.unescaped_.emplace_back();
      decoded->append(s_.data() + plain, pos_ - plain);
      if (pos_ + 1 >= s_.size()) return false;
      const char e = s_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          decoded->push_back(e);
          break;
        case 'b':
          decoded->push_back('\b');
          break;
        case 'f':
          decoded->push_back('\f');
          break;
        case 'n':
          decoded->push_back('\n');
          break;
        case 'r':
          decoded->push_back('\r');
          break;
        case 't':
          decoded->push_back('\t');
          break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return false;
          uint32_t cp = 0;
          for (size_t k = 0; k < 4; ++k) {
            const int d = hex_digit(s_[pos_ + k]);
            if (d < 0) return false;
            cp = (cp << 4) | static_cast<uint32_t>(d);
          }
          if (cp >= 0xd800 && cp <= 0xdfff) return false;  // pairs: the strict parser
          pos_ += 4;
          append_utf8(*decoded, cp);
          break;
        }
        default:
          return false;
      }
      plain = pos_;
    }
    if (decoded == nullptr) {
      out = s_.substr(start, pos_ - start);
    } else {
      decoded->append(s_.data() + plain, pos_ - plain);
      out = *decoded;
    }
    ++pos_;  // closing quote
    return true;
  }

  LiteJson& doc_;
  std::string_view s_;
  size_t pos_ = 0;
  std::vector<Member>& scratch_members_ = doc_.scratch_members_;
  std::vector<uint32_t>& scratch_elements_ = doc_.scratch_elements_;
};

bool LiteJson::parse(std::string_view text) { return Parser(*this, text).run(); }

}  // namespace suanli::ledger
