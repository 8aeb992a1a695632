#include "tests/genesis/genesis_util.h"

#include <unistd.h>

#include <cstdlib>

#include "genesis/devnet.h"
#include "ledger/crypto.h"

namespace suanli::genesis::testing {

PubKey test_pubkey(uint8_t n) {
  std::array<uint8_t, 32> seed{};
  seed.fill(n);
  return ledger::keypair_from_seed(seed).pubkey;
}

nlohmann::json valid_genesis_json() {
  ledger::crypto_init();
  using nlohmann::json;
  json programs = json::array({{{"province", "CN-GZ"},
                                {"basis", "provider"},
                                {"rate_bps", 300},
                                {"max_per_voucher", 500000000},
                                {"max_per_buyer_per_year", 1000000000},
                                {"max_term_ms", 31622400000},
                                {"validity_ms", 31536000000},
                                {"budget", 10000000000}},
                               {{"province", "CN-BJ"},
                                {"basis", "buyer"},
                                {"rate_bps", 2000},
                                {"max_per_voucher", 200000000},
                                {"max_per_buyer_per_year", 200000000},
                                {"max_term_ms", 31622400000},
                                {"validity_ms", 31536000000},
                                {"budget", 5000000000}}});
  auto participant = [](uint8_t key, const char* role, const char* province, const char* name,
                        const char* first17, uint64_t balance) {
    return json{{"pubkey", to_hex(test_pubkey(key))},
                {"role", role},
                {"province", province},
                {"name", name},
                {"credit_code", make_credit_code(first17)},
                {"group", ""},
                {"balance", balance}};
  };
  json participants = json::array(
      {participant(1, "regulator", "CN-GZ", "贵州省大数据发展管理局", "11520000MB1742085", 0),
       participant(2, "regulator", "CN-BJ", "北京市经济和信息化局", "11110000MB0187652", 0),
       participant(3, "provider", "CN-GZ", "贵州\"超算\"\\中心", "91520000MA6DQ2R81", 0),
       participant(4, "buyer", "CN-BJ", "北京星河智能科技有限公司", "91110108MA01XY2E7",
                   5000000000)});
  json nodes = json::array({{{"node_id", "gz-1"},
                             {"pubkey", to_hex(test_pubkey(101))},
                             {"address", "127.0.0.1:7601"},
                             {"role", "voter"}},
                            {{"node_id", "bj-1"},
                             {"pubkey", to_hex(test_pubkey(102))},
                             {"address", "node.example.com:7602"},
                             {"role", "learner"}}});
  return json{{"chain_id", "suanli-devnet"},
              {"genesis_time", 1767225600000},
              {"policy",
               {{"max_tx_validity_ms", 3600000},
                {"ack_window_ms", 86400000},
                {"max_block_txs", 8192},
                {"max_block_bytes", 8388608},
                {"membership_approvals", 2}}},
              {"voucher_programs", programs},
              {"participants", participants},
              {"nodes", nodes}};
}

TempDir::TempDir() {
  std::string pattern = ::testing::TempDir() + "suanli-genesis-XXXXXX";
  char* made = ::mkdtemp(pattern.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace suanli::genesis::testing
