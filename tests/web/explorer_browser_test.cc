// The explorer page in Debian's headless Chromium against a live 3-node
// cluster: the test creates, through JSON-RPC, a contract, a voucher, a
// closed and co-signed settlement period and a flow in the open one, then
// checks that the page shows the head height, the contract, the voucher and
// both flow matrices (amounts in yuan), that search finds the voucher, and
// saves a screenshot under the build folder. Skipped when no Chromium is
// installed (scripts/setup.sh installs it).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/money.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "tests/rpc/ws_client.h"
#include "tests/web/web_util.h"

namespace suanli::testing {
namespace {

using nlohmann::json;

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string find_chromium() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      std::string exe = dir + "/" + name;
      if (::access(exe.c_str(), X_OK) == 0) return exe;
    }
  }
  return "";
}

// Runs a shell command; its stdout.
std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  std::array<char, 65536> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

class ExplorerBrowserTest : public ::testing::Test {
 protected:
  // Submits and waits for commit; the result must be ok.
  void send(const std::string& signer, ledger::TxType type, ledger::Payload payload) {
    ledger::Tx tx = d_->make(signer, type, std::move(payload));
    json r =
        must(*d_, 0, "tx_submit",
             {{"tx", json::parse(tx.canonical)}, {"wait", "committed"}, {"timeout_ms", 10000}});
    ASSERT_EQ(r["status"], "committed") << r.dump();
    ASSERT_EQ(r["result"]["ok"], true) << ledger::tx_type_name(type) << ": " << r.dump();
  }

  // The DOM after the page's script ran (and its live updates settled).
  std::string dump_dom(const std::string& url) {
    return run("'" + chromium_ + "' --headless --no-sandbox --disable-gpu --disable-dev-shm-usage" +
               " --user-data-dir='" + profile_ + "' --virtual-time-budget=20000 --dump-dom '" +
               url + "' 2>>'" + log_ + "'");
  }

  std::string chromium_ = find_chromium();
  std::string dir_ = temp_dir("web-explorer");
  std::string profile_ = dir_ + "-chromium";
  std::string log_ = dir_ + "-chromium.log";
  std::unique_ptr<ProcessDevnet> d_;

  void TearDown() override {
    d_.reset();
    std::error_code ec;
    for (const auto& p : {dir_, profile_, log_}) std::filesystem::remove_all(p, ec);
  }
};

TEST_F(ExplorerBrowserTest, ShowsHeadContractVoucherAndFlows) {
  if (chromium_.empty()) {
    GTEST_SKIP() << "no chromium in PATH: run scripts/setup.sh (apt-get install chromium)";
  }
  d_ = std::make_unique<ProcessDevnet>(3, dir_);
  ASSERT_TRUE(d_->start_all());
  using ledger::TxType;
  // A Beijing buyer buys 1,000 card-hours at ¥10.00 from a Guizhou provider.
  Id16 k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(0xa0 + i);
  const ledger::Resource gpu{ledger::ResourceClass::kIntelligent, "A800 80GB",
                             ledger::ResourceUnit::kCardHour};
  const uint64_t deadline = now_ms() + 30ULL * 86400000;
  send("bj-ai", TxType::kContractCreate,
       ledger::ContractCreate{
           k, d_->key("gz-supercomputing").pubkey, gpu, 1000, 1000, deadline, {}});
  send("gz-supercomputing", TxType::kContractAccept, ledger::ContractRef{k});
  send("gz-supercomputing", TxType::kDeliveryReport,
       ledger::DeliveryReport{k, 1000, ledger::blake2b256("usage records")});
  send("bj-ai", TxType::kDeliveryAck, ledger::DeliveryRef{k, 1});
  send("bj-ai", TxType::kContractClose, ledger::ContractRef{k});
  send("bj-ai", TxType::kVoucherApply, ledger::VoucherApply{k, "CN-GZ"});
  send("gz-regulator", TxType::kVoucherIssue, ledger::ContractRef{k});
  // The period with the delivery payment is closed and co-signed.
  send("gz-regulator", TxType::kSettlementClose, ledger::SettlementClose{});
  send("gz-regulator", TxType::kSettlementSign, ledger::SettlementSign{1});
  send("bj-regulator", TxType::kSettlementSign, ledger::SettlementSign{1});
  // A transfer in the open period: Guangdong pays Guizhou ¥123.45.
  send("gd-robotics", TxType::kTransfer,
       ledger::Transfer{d_->key("gz-supercomputing").pubkey, 12345, "explorer test"});
  if (HasFatalFailure()) return;

  // What the page must show, read through JSON-RPC.
  const std::string contract_id = to_hex(k);
  const std::string voucher_id = to_hex(ledger::voucher_id_for(k));
  json voucher = must(*d_, 0, "voucher_get", {{"voucher_id", voucher_id}});
  ASSERT_EQ(voucher["amount"], 30000) << "3% of ¥10,000.00";
  json closed = must(*d_, 0, "settlement_get", {{"period", 1}});
  ASSERT_EQ(closed["status"], "final");
  ASSERT_EQ(closed["flows"].size(), 1u);
  json open = must(*d_, 0, "settlement_current");
  ASSERT_EQ(open["flows"].size(), 1u);
  uint64_t height = must(*d_, 0, "block_latest")["height"];
  const std::string base = "http://127.0.0.1:" + std::to_string(rpc_port(*d_, 0)) + "/";

  std::string dom = dump_dom(base);
  std::ofstream(std::string(SUANLI_BUILD_DIR) + "/explorer-dom.html") << dom;
  ASSERT_NE(dom.find("data-ready=\"1\""), std::string::npos)
      << "the page did not finish loading; its DOM is in the build folder\n"
      << dom.substr(0, 2000);
  EXPECT_NE(dom.find("id=\"head-height\">" + std::to_string(height) + "<"), std::string::npos);
  EXPECT_NE(dom.find("id=\"ws-state\" class=\"live\""), std::string::npos) << "WebSocket not live";
  EXPECT_NE(dom.find("data-contract=\"" + contract_id + "\""), std::string::npos);
  EXPECT_NE(dom.find("data-voucher=\"" + voucher_id + "\""), std::string::npos);
  EXPECT_NE(dom.find("¥10,000.00"), std::string::npos) << "the contract amount in yuan";
  EXPECT_NE(dom.find("¥300.00"), std::string::npos) << "the voucher amount in yuan";
  // The closed period's matrix (selected by default) and the open period's.
  const json& cf = closed["flows"][0];
  EXPECT_EQ(cf["from"], "CN-BJ");
  EXPECT_EQ(cf["to"], "CN-GZ");
  std::string closed_cell = "data-from=\"CN-BJ\" data-to=\"CN-GZ\" data-fen=\"" +
                            std::to_string(cf["amount"].get<uint64_t>()) + "\">" +
                            format_yuan(cf["amount"].get<int64_t>());
  EXPECT_NE(dom.find(closed_cell), std::string::npos) << closed_cell;
  std::string open_cell = "data-from=\"CN-GD\" data-to=\"CN-GZ\" data-fen=\"12345\">¥123.45";
  EXPECT_NE(dom.find(open_cell), std::string::npos) << open_cell;
  EXPECT_NE(dom.find("data-period=\"1\""), std::string::npos);
  EXPECT_NE(dom.find("@"), std::string::npos) << "statement signatures";
  EXPECT_NE(dom.find(to_hex(d_->key("bj-regulator").pubkey).substr(0, 10)), std::string::npos)
      << "Beijing's signature listed";
  EXPECT_NE(dom.find("id=\"program-CN-GZ-issued\""), std::string::npos);
  // A large amount, grouped (the programme's available budget).
  json program = must(*d_, 0, "program_get", {{"province", "CN-GZ"}});
  EXPECT_NE(dom.find(format_yuan(program["available"].get<int64_t>())), std::string::npos)
      << format_yuan(program["available"].get<int64_t>());

  // Search by voucher id (from the address) shows the voucher.
  std::string found = dump_dom(base + "#q=" + voucher_id);
  EXPECT_NE(found.find("data-kind=\"算力券 Voucher\""), std::string::npos);
  EXPECT_NE(found.find("data-field=\"contract_id\""), std::string::npos);

  // A screenshot for people, under the build folder.
  std::string shot = std::string(SUANLI_BUILD_DIR) + "/explorer.png";
  std::remove(shot.c_str());
  run("'" + chromium_ + "' --headless --no-sandbox --disable-gpu --disable-dev-shm-usage" +
      " --user-data-dir='" + profile_ + "' --hide-scrollbars --window-size=1400,2400" +
      " --virtual-time-budget=20000 --screenshot='" + shot + "' '" + base + "' 2>>'" + log_ + "'");
  struct stat st {};
  ASSERT_EQ(::stat(shot.c_str(), &st), 0) << "no screenshot; chromium log: " << log_;
  EXPECT_GT(st.st_size, 20000) << "screenshot too small to show the page";
  std::printf("explorer screenshot: %s\n", shot.c_str());
}

}  // namespace
}  // namespace suanli::testing
