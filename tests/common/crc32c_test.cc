// CRC-32C against the published check values (RFC 3720 B.4 and the
// "123456789" check), and the hardware path against the table path.
#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace suanli {
namespace {

TEST(Crc32cTest, MatchesPublishedCheckValues) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  std::string descending;
  for (int i = 31; i >= 0; --i) descending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(Crc32cTest, ExtendingInPiecesGivesTheWholeAndBothPathsAgree) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>((i * 7919) >> 3));
  const uint32_t whole = crc32c(data);
  for (size_t cut : {0u, 1u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
    const uint32_t first = crc32c_extend(0, data.data(), cut);
    EXPECT_EQ(crc32c_extend(first, data.data() + cut, data.size() - cut), whole) << cut;
  }
  for (size_t len = 0; len <= data.size(); len += 37) {
    EXPECT_EQ(crc32c_extend(0, data.data() + 3, len > 3 ? len - 3 : 0),
              crc32c_extend_portable(0, data.data() + 3, len > 3 ? len - 3 : 0))
        << len;
  }
  data[400] ^= 1;
  EXPECT_NE(crc32c(data), whole) << "one flipped bit changes the CRC";
}

}  // namespace
}  // namespace suanli
