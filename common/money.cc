#include "common/money.h"

namespace suanli {

std::string format_yuan(int64_t fen) {
  bool negative = fen < 0;
  uint64_t abs = negative ? static_cast<uint64_t>(-(fen + 1)) + 1 : static_cast<uint64_t>(fen);
  std::string digits = std::to_string(abs / 100);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  uint64_t cents = abs % 100;
  std::string out = negative ? "-¥" : "¥";
  out += grouped;
  out += '.';
  out.push_back(static_cast<char>('0' + cents / 10));
  out.push_back(static_cast<char>('0' + cents % 10));
  return out;
}

std::optional<uint64_t> parse_yuan(const std::string& text) {
  size_t dot = text.find('.');
  std::string whole = text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 16) return std::nullopt;
  if (dot != std::string::npos && (frac.empty() || frac.size() > 2)) return std::nullopt;
  for (char c : whole + frac) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t yuan = std::stoull(whole);
  while (frac.size() < 2) frac.push_back('0');
  uint64_t cents = static_cast<uint64_t>(std::stoul(frac));
  auto fen = checked_mul(yuan, 100);
  if (!fen) return std::nullopt;
  return checked_add(*fen, cents);
}

}  // namespace suanli
