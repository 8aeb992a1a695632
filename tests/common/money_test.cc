#include "common/money.h"

#include <gtest/gtest.h>

#include "common/bytes.h"

namespace suanli {
namespace {

TEST(MoneyTest, FormatsYuanWithGroupingAndFen) {
  EXPECT_EQ(format_yuan(107000010), "¥1,070,000.10");
  EXPECT_EQ(format_yuan(0), "¥0.00");
  EXPECT_EQ(format_yuan(5), "¥0.05");
  EXPECT_EQ(format_yuan(100000), "¥1,000.00");
  EXPECT_EQ(format_yuan(-12345), "-¥123.45");
}

TEST(MoneyTest, ParsesYuanExactly) {
  EXPECT_EQ(parse_yuan("1070000.10"), 107000010u);
  EXPECT_EQ(parse_yuan("1070000.1"), 107000010u);
  EXPECT_EQ(parse_yuan("12"), 1200u);
  EXPECT_EQ(parse_yuan("0.05"), 5u);
  EXPECT_FALSE(parse_yuan("1.005"));
  EXPECT_FALSE(parse_yuan("-1"));
  EXPECT_FALSE(parse_yuan("1."));
  EXPECT_FALSE(parse_yuan(".5"));
  EXPECT_FALSE(parse_yuan("1e3"));
  EXPECT_FALSE(parse_yuan("99999999999999999"));
}

TEST(MoneyTest, CheckedArithmeticStopsAtTwoToThe53) {
  EXPECT_EQ(checked_add(kAmountMax - 1, 1), kAmountMax);
  EXPECT_FALSE(checked_add(kAmountMax, 1));
  EXPECT_FALSE(checked_sub(1, 2));
  EXPECT_EQ(checked_mul(3566667, 1000), 3566667000u);
  EXPECT_FALSE(checked_mul(uint64_t{1} << 27, uint64_t{1} << 27));
  EXPECT_EQ(mul_div_floor(kAmountMax, 10000, 10000), kAmountMax);
}

TEST(BytesTest, HexIsStrictLowercase) {
  EXPECT_EQ(to_hex(std::string("\x01\xab", 2)), "01ab");
  EXPECT_EQ(from_hex("01ab"), std::string("\x01\xab", 2));
  EXPECT_FALSE(from_hex("01AB"));
  EXPECT_FALSE(from_hex("0"));
  EXPECT_FALSE(from_hex("zz"));
  auto a = from_hex_array<2>("ffee");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)[0], 0xff);
  EXPECT_FALSE(from_hex_array<2>("ffeedd"));
}

}  // namespace
}  // namespace suanli
