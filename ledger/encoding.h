// Binary encoding of state objects (deterministic, versioned by a leading byte).
//
// Integers are little-endian fixed width; strings and vectors are prefixed by
// a u32 length. Decoding bounds every length by the input size and returns
// nullopt on malformed input: state bytes come from our own writes, but a
// corrupt database must be reported, not crash the node.
#pragma once

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/state.h"

namespace suanli::ledger {

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void boolean(bool v) { u8(v ? 1 : 0); }
  void str(std::string_view s);
  template <size_t N>
  void fixed(const std::array<uint8_t, N>& a) {
    out_.append(reinterpret_cast<const char*>(a.data()), N);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u8(uint8_t& v);
  bool u32(uint32_t& v);
  bool u64(uint64_t& v);
  bool boolean(bool& v);
  bool str(std::string& s);
  template <size_t N>
  bool fixed(std::array<uint8_t, N>& a) {
    if (in_.size() - pos_ < N) return false;
    std::memcpy(a.data(), in_.data() + pos_, N);
    pos_ += N;
    return true;
  }
  // Reads a u32 count and checks it can fit in the remaining input at
  // `min_item_bytes` per item.
  bool count(uint32_t& n, size_t min_item_bytes);
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

std::string encode(const Participant& v);
std::string encode(const Contract& v);
std::string encode(const Application& v);
std::string encode(const Voucher& v);
std::string encode(const Program& v);
std::string encode(const Statement& v);
std::string encode(const Proposal& v);
std::string encode(const NodeMember& v);
std::string encode(const TxRecord& v);

bool decode(std::string_view in, Participant& v);
bool decode(std::string_view in, Contract& v);
bool decode(std::string_view in, Application& v);
bool decode(std::string_view in, Voucher& v);
bool decode(std::string_view in, Program& v);
bool decode(std::string_view in, Statement& v);
bool decode(std::string_view in, Proposal& v);
bool decode(std::string_view in, NodeMember& v);
bool decode(std::string_view in, TxRecord& v);

std::string encode_u64(uint64_t v);
bool decode_u64(std::string_view in, uint64_t& v);

}  // namespace suanli::ledger
