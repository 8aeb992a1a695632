// Field rules shared by the codec and genesis (API.md "Conventions").
#pragma once

#include <cstddef>
#include <string_view>

namespace suanli::ledger {

// One of the 34 ISO 3166-2:CN codes of API.md.
bool is_province(std::string_view code);
// 18 characters of the USCC alphabet with a valid check character.
bool is_credit_code(std::string_view code);
// The check character for the first 17 characters (for generating codes).
char credit_code_check_char(std::string_view first17);
// Number of Unicode code points of valid UTF-8 text.
size_t code_points(std::string_view utf8);

}  // namespace suanli::ledger
