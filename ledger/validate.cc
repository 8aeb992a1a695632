// Field rules shared by the codec and genesis (API.md "Conventions").
#include "ledger/validate.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace suanli::ledger {
namespace {

constexpr std::array<std::string_view, 34> kProvinces = {
    "CN-BJ", "CN-TJ", "CN-HE", "CN-SX", "CN-NM", "CN-LN", "CN-JL", "CN-HL", "CN-SH",
    "CN-JS", "CN-ZJ", "CN-AH", "CN-FJ", "CN-JX", "CN-SD", "CN-HA", "CN-HB", "CN-HN",
    "CN-GD", "CN-GX", "CN-HI", "CN-CQ", "CN-SC", "CN-GZ", "CN-YN", "CN-XZ", "CN-SN",
    "CN-GS", "CN-QH", "CN-NX", "CN-XJ", "CN-TW", "CN-HK", "CN-MO"};

// GB 32100-2015: 31 characters, without I, O, S, V and Z.
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr size_t kUsccLength = 18;
constexpr uint32_t kUsccModulus = 31;
static_assert(kUsccAlphabet.size() == kUsccModulus);

// Index of `c` in the USCC alphabet, or -1.
int uscc_value(char c) {
  size_t pos = kUsccAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

bool is_province(std::string_view code) {
  return std::find(kProvinces.begin(), kProvinces.end(), code) != kProvinces.end();
}

char credit_code_check_char(std::string_view first17) {
  if (first17.size() != kUsccLength - 1) return '\0';
  uint32_t sum = 0;
  uint32_t weight = 1;  // 3^i mod 31
  for (char c : first17) {
    int v = uscc_value(c);
    if (v < 0) return '\0';
    sum = (sum + static_cast<uint32_t>(v) * weight) % kUsccModulus;
    weight = (weight * 3) % kUsccModulus;
  }
  return kUsccAlphabet[(kUsccModulus - sum) % kUsccModulus];
}

bool is_credit_code(std::string_view code) {
  if (code.size() != kUsccLength) return false;
  if (uscc_value(code.back()) < 0) return false;
  char check = credit_code_check_char(code.substr(0, kUsccLength - 1));
  return check != '\0' && check == code.back();
}

size_t code_points(std::string_view utf8) {
  // Every code point has exactly one byte that is not a continuation byte.
  return static_cast<size_t>(std::count_if(
      utf8.begin(), utf8.end(), [](char c) { return (static_cast<uint8_t>(c) & 0xc0) != 0x80; }));
}

}  // namespace suanli::ledger
