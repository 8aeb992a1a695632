// Checked arithmetic for money (fen) and quantities.
//
// Every amount on the ledger is an integer in [0, 2^53-1] so that JSON clients
// in any language read it exactly; a result outside that range is an error,
// never a wrap.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace suanli {

__extension__ typedef unsigned __int128 U128;

inline constexpr uint64_t kAmountMax = (uint64_t{1} << 53) - 1;

inline std::optional<uint64_t> checked_add(uint64_t a, uint64_t b) {
  if (a > kAmountMax || b > kAmountMax || a + b > kAmountMax) return std::nullopt;
  return a + b;
}

inline std::optional<uint64_t> checked_sub(uint64_t a, uint64_t b) {
  if (b > a) return std::nullopt;
  return a - b;
}

inline std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) {
  U128 p = static_cast<U128>(a) * b;
  if (p > kAmountMax) return std::nullopt;
  return static_cast<uint64_t>(p);
}

// floor(a * num / den) without intermediate overflow; den > 0.
inline uint64_t mul_div_floor(uint64_t a, uint64_t num, uint64_t den) {
  U128 p = static_cast<U128>(a) * num;
  return static_cast<uint64_t>(p / den);
}

// "¥1,070,000.10" for 107000010 fen.
std::string format_yuan(int64_t fen);

// Parses yuan with at most two decimals ("1070000.1", "12", "0.05") into fen,
// exactly (no floating point). Returns nullopt on any other form or overflow.
std::optional<uint64_t> parse_yuan(const std::string& text);

}  // namespace suanli
