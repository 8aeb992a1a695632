// scripts/devnet.sh --ci: the demo story through suanli-wallet on three real
// nodes, with its figures checked by the script; this test checks them again
// in its output.
#include <gtest/gtest.h>

#include "tests/wallet/wallet_util.h"

namespace suanli::wallet::testing {
namespace {

TEST(DevnetStoryTest, CiModeRunsTheStoryAndItsFiguresHold) {
  uint16_t base = suanli::testing::free_port_block();
  std::string dir = temp_dir("story") + "/devnet";
  RunResult r =
      run_binary("/bin/bash", {SUANLI_SOURCE_DIR "/scripts/devnet.sh", "--ci", "--build-dir",
                               SUANLI_BUILD_DIR, "--dir", dir, "--base-port", std::to_string(base),
                               "--rpc-base-port", std::to_string(base + 8)});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* line : {
           "voucher now holds ¥300,000.00 again",
           "Beijing voucher worth ¥100,000.00",
           "✓ Guizhou voucher amount (fen): 107000010",
           "✓ Guizhou voucher remaining (fen): 30000000",
           "✓ Beijing voucher amount (fen): 10000000",
           "✓ buyer balance (fen): 1390333010",
           "✓ Guizhou programme redeemed (fen): 77000010",
           "✓ statement status: \"status\":\"final\"",
           "✓ flow CN-BJ→CN-GZ: \"amount\":3616667000",
           "✓ flow CN-GZ→CN-BJ: \"amount\":7000010",
           "bj-ai              ¥13,903,330.10",
       }) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
  EXPECT_EQ(r.out.find("✗"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace suanli::wallet::testing
