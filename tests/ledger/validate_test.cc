// Field rules: provinces, unified social credit codes, code points.
#include "ledger/validate.h"

#include <gtest/gtest.h>

#include <string>

namespace suanli::ledger {
namespace {

TEST(ValidateTest, ProvincesAreTheThirtyFourCodes) {
  const char* all[] = {"CN-BJ", "CN-TJ", "CN-HE", "CN-SX", "CN-NM", "CN-LN", "CN-JL",
                       "CN-HL", "CN-SH", "CN-JS", "CN-ZJ", "CN-AH", "CN-FJ", "CN-JX",
                       "CN-SD", "CN-HA", "CN-HB", "CN-HN", "CN-GD", "CN-GX", "CN-HI",
                       "CN-CQ", "CN-SC", "CN-GZ", "CN-YN", "CN-XZ", "CN-SN", "CN-GS",
                       "CN-QH", "CN-NX", "CN-XJ", "CN-TW", "CN-HK", "CN-MO"};
  for (const char* p : all) EXPECT_TRUE(is_province(p)) << p;
  for (const char* p : {"", "CN-gz", "cn-GZ", "CN-XX", "CN-GZ ", "GZ", "CN-11", "CN-GZX"}) {
    EXPECT_FALSE(is_province(p)) << p;
  }
}

TEST(ValidateTest, RealCreditCodesPass) {
  // Published codes of real companies, and codes generated with the rule.
  for (const char* c :
       {"91440300708461136T", "91110108551385082Q", "91520000MA6DLWCC5C", "91110000100000000R",
        "91310000MA1FL0000N", "12100000000013049W", "11520000MB1C3XY016", "91110000MA01ABCDEX"}) {
    EXPECT_TRUE(is_credit_code(c)) << c;
  }
}

TEST(ValidateTest, BadCreditCodesFail) {
  EXPECT_FALSE(is_credit_code(""));
  EXPECT_FALSE(is_credit_code("91440300708461136"));    // 17 characters
  EXPECT_FALSE(is_credit_code("91440300708461136TT"));  // 19
  EXPECT_FALSE(is_credit_code("91440300708461136U"));   // wrong check character
  EXPECT_FALSE(is_credit_code("91520000MA6DLWCC5X"));   // wrong check character
  EXPECT_FALSE(is_credit_code("91440300708461136t"));   // lowercase
  EXPECT_FALSE(is_credit_code("9144030070846113IT"));   // I not in the alphabet
  EXPECT_FALSE(is_credit_code("9152000OMA6DLWCC5C"));   // O not in the alphabet
  EXPECT_FALSE(is_credit_code("91440300708461136Z"));   // Z not in the alphabet
}

TEST(ValidateTest, CheckCharacterGeneratesValidCodes) {
  EXPECT_EQ(credit_code_check_char("91440300708461136"), 'T');
  EXPECT_EQ(credit_code_check_char("91520000MA6DLWCC5"), 'C');
  EXPECT_EQ(credit_code_check_char("9152000"), '\0');
  EXPECT_EQ(credit_code_check_char("91520000MA6DLWCCI"), '\0');
  std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  for (size_t i = 0; i < alphabet.size(); ++i) {
    std::string first = "9152000000000000" + alphabet.substr(i, 1);
    std::string code = first + credit_code_check_char(first);
    EXPECT_TRUE(is_credit_code(code)) << code;
    // Every other check character is refused.
    for (char c : alphabet) {
      if (c != code.back()) {
        EXPECT_FALSE(is_credit_code(first + c)) << first << c;
      }
    }
  }
}

TEST(ValidateTest, CodePointsCountsCharactersNotBytes) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("贵州省大数据发展管理局"), 11u);
  EXPECT_EQ(code_points("\xf0\x9f\x98\x80x"), 2u);  // U+1F600 then x
  EXPECT_EQ(code_points("\xc3\xb6"), 1u);
}

}  // namespace
}  // namespace suanli::ledger
