// LiteJson: a small JSON reader for the fast path of transaction decoding.
//
// It reads objects, arrays, strings, non-negative integers, booleans and null
// into a flat document whose strings point into the text (or, for strings
// with escapes, into the document), without a node allocation per value.
// Anything outside that (whitespace, signs, fractions, exponents, surrogate
// escapes, nesting deeper than kLiteDepthMax, invalid UTF-8) makes parse()
// return false, and the caller falls back to the strict parser
// (parse_strict), which gives the error. It never decides that text is bad.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace suanli::ledger {

inline constexpr size_t kLiteDepthMax = 16;

class LiteJson {
 public:
  enum class Kind : uint8_t { kNull, kBool, kUint, kString, kObject, kArray };
  struct Value {
    Kind kind = Kind::kNull;
    bool boolean = false;
    uint64_t number = 0;
    std::string_view text;  // kString
    uint32_t first = 0;     // kObject: index into members; kArray: into elements
    uint32_t count = 0;
  };
  struct Member {
    std::string_view key;
    uint32_t value = 0;
  };
  // A value of a parsed document.
  struct Ref {
    const LiteJson* doc = nullptr;
    uint32_t index = 0;
    const Value& get() const { return doc->values_[index]; }
  };

  // Parses `text`, which must outlive the document; false when the text is
  // not JSON or uses anything this reader leaves to the strict parser.
  bool parse(std::string_view text);
  Ref root() const { return Ref{this, 0}; }
  // Object members in text order, and array elements.
  const Member& member(const Value& object, uint32_t i) const {
    return members_[object.first + i];
  }
  Ref element(const Value& array, uint32_t i) const {
    return Ref{this, elements_[array.first + i]};
  }

 private:
  class Parser;
  std::vector<Value> values_;
  std::vector<Member> members_;
  std::vector<uint32_t> elements_;
  std::deque<std::string> unescaped_;  // decoded strings with escapes (stable addresses)
  // The parser's stacks, kept so that a reused document allocates nothing.
  std::vector<Member> scratch_members_;
  std::vector<uint32_t> scratch_elements_;
};

}  // namespace suanli::ledger
