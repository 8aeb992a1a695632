// Queries through the real suanli-wallet: tables for people, the node's JSON
// with --json.
#include <gtest/gtest.h>

#include "tests/wallet/wallet_util.h"

namespace suanli::wallet::testing {
namespace {

TEST(WalletQueryTest, TablesAndJson) {
  WalletNet& net = WalletNet::get();
  std::string k = net.completed_contract(123);  // ¥1,230.00

  RunResult bal = net.wallet({"balance", "bj-ai"});
  ASSERT_EQ(bal.exit_code, 0) << bal.err;
  auto p = net.rpc("participant_get", {{"pubkey", net.pubkey("bj-ai")}});
  EXPECT_NE(bal.out.find("北京星河智能科技有限公司"), std::string::npos) << bal.out;
  EXPECT_NE(bal.out.find("¥"), std::string::npos);
  RunResult balj = net.wallet({"--json", "balance", net.pubkey("bj-ai")});
  EXPECT_EQ(balj.json().value("balance", 1ull), p.value("balance", 0ull));

  RunResult show = net.wallet({"contract", "show", k});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("¥1,230.00"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("completed"), std::string::npos);
  EXPECT_NE(show.out.find("贵州黔云超级计算中心有限公司"), std::string::npos);

  RunResult list =
      net.wallet({"contract", "list", "--provider", "gz-supercomputing", "--state", "completed"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.rfind("CONTRACT", 0), 0u) << list.out;
  EXPECT_NE(list.out.find(k), std::string::npos);
  RunResult listj =
      net.wallet({"--json", "contract", "list", "--buyer", "bj-ai", "--limit", "100"});
  nlohmann::json items = listj.json()["items"];
  ASSERT_TRUE(items.is_array()) << listj.out;
  bool found = false;
  for (const auto& c : items) found |= c.value("contract_id", "") == k;
  EXPECT_TRUE(found) << listj.out;
  EXPECT_EQ(net.wallet({"contract", "list", "--limit", "x"}).exit_code, 2);

  // Pages: one contract per page, followed by hand and with --all.
  net.completed_contract(124);
  RunResult page1 = net.wallet({"contract", "list", "--buyer", "bj-ai", "--limit", "1"});
  ASSERT_EQ(page1.exit_code, 0) << page1.err;
  const auto more = page1.out.find("more: --cursor ");
  ASSERT_NE(more, std::string::npos) << page1.out;
  std::string cursor = page1.out.substr(more + 15);
  cursor = cursor.substr(0, cursor.find('\n'));
  RunResult page2 = net.wallet({"--json", "contract", "list", "--buyer", "bj-ai", "--limit", "1",
                                "--cursor", cursor});
  ASSERT_EQ(page2.exit_code, 0) << page2.err;
  ASSERT_EQ(page2.json()["items"].size(), 1u) << page2.out;
  EXPECT_EQ(page1.out.substr(0, more).find(page2.json()["items"][0].value("contract_id", "?")),
            std::string::npos)
      << "the second page repeats the first";
  RunResult all =
      net.wallet({"--json", "contract", "list", "--buyer", "bj-ai", "--limit", "1", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.json()["items"].size(), items.size() + 1) << all.out;
  EXPECT_TRUE(all.json()["next_cursor"].is_null());
  EXPECT_EQ(net.wallet({"contract", "list", "--cursor", "not-a-cursor"}).exit_code, 1);

  RunResult prog = net.wallet({"program", "show", "CN-BJ"});
  ASSERT_EQ(prog.exit_code, 0) << prog.err;
  EXPECT_NE(prog.out.find("20.00%"), std::string::npos) << prog.out;
  RunResult vl = net.wallet({"voucher", "list", "--province", "CN-GZ"});
  EXPECT_EQ(vl.exit_code, 0) << vl.err;
  EXPECT_EQ(vl.out.rfind("VOUCHER", 0), 0u) << vl.out;
  RunResult cur = net.wallet({"--json", "settlement", "show"});
  ASSERT_EQ(cur.exit_code, 0) << cur.err;
  EXPECT_EQ(cur.json().value("status", ""), "open");
  EXPECT_EQ(net.wallet({"settlement", "show", "999999"}).exit_code, 1);
  RunResult st = net.wallet({"status", "--json"});  // global flags after the command too
  ASSERT_EQ(st.exit_code, 0) << st.err;
  EXPECT_EQ(st.json().value("node_id", ""), net.devnet().devnet().nodes[0].node_id);
  RunResult sth = net.wallet({"status"});
  EXPECT_NE(sth.out.find("explorer    " + net.url() + "/"), std::string::npos) << sth.out;
}

}  // namespace
}  // namespace suanli::wallet::testing
