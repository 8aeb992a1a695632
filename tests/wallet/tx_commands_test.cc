// Every transaction type through the real suanli-wallet against a live node,
// the error exits, offline signing and `tx send`.
#include <gtest/gtest.h>

#include "genesis/devnet.h"
#include "tests/wallet/wallet_util.h"

namespace suanli::wallet::testing {
namespace {

using V = std::vector<std::string>;

class WalletTxTest : public ::testing::Test {
 protected:
  WalletNet& net = WalletNet::get();
  uint64_t balance(const std::string& name) {
    return net.rpc("participant_get", {{"pubkey", net.pubkey(name)}}).value("balance", 0ull);
  }
  // A key made with `key new`, its pubkey.
  std::string new_key(const std::string& name) {
    RunResult r = net.wallet({"--json", "key", "new", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.json().value("pubkey", "");
  }
  const std::string gz_ = "gz-regulator";
};

TEST_F(WalletTxTest, ParticipantsAndMoney) {
  std::string pk = new_key("sh-newco");
  ASSERT_TRUE(net.ok({"participant", "register", "--from", gz_, "--pubkey", "sh-newco", "--role",
                      "buyer", "--province", "CN-SH", "--name", "上海新公司", "--credit-code",
                      genesis::make_credit_code("91310000MA1ABC123")}));
  auto p = net.rpc("participant_get", {{"pubkey", pk}});
  EXPECT_EQ(p.value("name", ""), "上海新公司");
  EXPECT_EQ(p.value("group", "x"), "");

  ASSERT_TRUE(net.ok({"deposit", "--from", gz_, "--to", "sh-newco", "--amount", "100.50",
                      "--reference", "bank-" + random_hex(4)}));
  ASSERT_TRUE(net.ok({"withdraw", "--from", "sh-newco", "--amount", "0.5", "--reference",
                      "out-" + random_hex(4)}));
  uint64_t before = balance("sh-biotech");
  ASSERT_TRUE(net.ok({"transfer", "--from", "sh-newco", "--to", net.pubkey("sh-biotech"),
                      "--amount", "25", "--fen", "--memo", "备注"}));
  EXPECT_EQ(balance("sh-biotech"), before + 25);
  EXPECT_EQ(net.rpc("participant_get", {{"pubkey", pk}}).value("balance", 0ull), 9975u);

  ASSERT_TRUE(net.ok({"participant", "freeze", "--from", gz_, "--pubkey", pk, "--frozen", "true"}));
  RunResult frozen = net.wallet(
      {"transfer", "--from", "sh-newco", "--to", "sh-biotech", "--amount", "1", "--wait"});
  EXPECT_EQ(frozen.exit_code, 1);
  EXPECT_NE(frozen.err.find("frozen"), std::string::npos) << frozen.err;
  ASSERT_TRUE(
      net.ok({"participant", "freeze", "--from", gz_, "--pubkey", pk, "--frozen", "false"}));
  EXPECT_TRUE(net.ok({"transfer", "--from", "sh-newco", "--to", "sh-biotech", "--amount", "1"}));
}

TEST_F(WalletTxTest, ContractsDeliveriesAndDisputes) {
  auto create = [&](const std::string& id, const std::string& qty) {
    return net.ok({"contract", "create",       "--from",         "gd-robotics", "--contract-id",
                   id,         "--provider",   "gz-intelligent", "--class",     "general",
                   "--model",  "EPYC 9654",    "--unit",         "core_hour",   "--quantity",
                   qty,        "--unit-price", "0.35",           "--deadline",  "+2h"});
  };
  std::string rejected = random_hex(16), cancelled = random_hex(16), k = random_hex(16);
  ASSERT_TRUE(create(rejected, "10"));
  ASSERT_TRUE(net.ok({"contract", "reject", "--from", "gz-intelligent", "--contract-id", rejected,
                      "--reason", "no capacity"}));
  ASSERT_TRUE(create(cancelled, "10"));
  ASSERT_TRUE(net.ok({"contract", "cancel", "--from", "gd-robotics", "--contract-id", cancelled}));
  EXPECT_EQ(net.rpc("contract_get", {{"contract_id", rejected}}).value("state", ""), "rejected");
  EXPECT_EQ(net.rpc("contract_get", {{"contract_id", cancelled}}).value("state", ""), "cancelled");

  ASSERT_TRUE(create(k, "100"));
  EXPECT_EQ(net.rpc("contract_get", {{"contract_id", k}}).value("amount", 0ull), 3500u);
  ASSERT_TRUE(net.ok({"contract", "accept", "--from", "gz-intelligent", "--contract-id", k}));
  ASSERT_TRUE(net.ok({"delivery", "report", "--from", "gz-intelligent", "--contract-id", k,
                      "--quantity", "100", "--evidence", random_hex(32)}));
  ASSERT_TRUE(net.ok({"delivery", "dispute", "--from", "gd-robotics", "--contract-id", k, "--seq",
                      "1", "--reason", "half the cores were throttled"}));
  ASSERT_TRUE(net.ok({"dispute", "resolve", "--from", gz_, "--contract-id", k, "--seq", "1",
                      "--accepted-quantity", "60"}));
  ASSERT_TRUE(net.ok({"delivery", "report", "--from", "gz-intelligent", "--contract-id", k,
                      "--quantity", "40", "--evidence", random_hex(32)}));
  // The ack window (a day on the devnet) is open: finalize is rejected, exit 1.
  RunResult early = net.wallet({"delivery", "finalize", "--from", "gz-intelligent", "--contract-id",
                                k, "--seq", "2", "--wait"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_NE(early.err.find("ack_window_open"), std::string::npos) << early.err;
  ASSERT_TRUE(
      net.ok({"delivery", "ack", "--from", "gd-robotics", "--contract-id", k, "--seq", "2"}));
  ASSERT_TRUE(net.ok({"contract", "close", "--from", "gz-intelligent", "--contract-id", k}));
  auto c = net.rpc("contract_get", {{"contract_id", k}});
  EXPECT_EQ(c.value("state", ""), "completed");
  EXPECT_EQ(c.value("delivered", 0ull), 100u);
  EXPECT_EQ(c.value("settled", 0ull), 3500u);
}

TEST_F(WalletTxTest, VouchersAndProgrammes) {
  std::string k = net.completed_contract(1000);  // ¥10,000.00: a ¥300.00 Guizhou voucher
  ASSERT_TRUE(
      net.ok({"voucher", "apply", "--from", "bj-ai", "--contract-id", k, "--program", "CN-GZ"}));
  RunResult issued = net.wallet({"voucher", "issue", "--from", gz_, "--contract-id", k, "--wait"});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  auto pos = issued.out.find("  voucher ");
  ASSERT_NE(pos, std::string::npos) << issued.out;
  std::string v = issued.out.substr(pos + 10, 64);
  EXPECT_EQ(net.rpc("voucher_get", {{"voucher_id", v}}).value("amount", 0ull), 30000u);
  ASSERT_TRUE(
      net.ok({"voucher", "redeem", "--from", "bj-ai", "--voucher-id", v, "--amount", "100.01"}));
  ASSERT_TRUE(net.ok({"voucher", "revoke", "--from", gz_, "--voucher-id", v, "--reason",
                      "audit found a related party"}));
  auto vj = net.rpc("voucher_get", {{"voucher_id", v}});
  EXPECT_EQ(vj.value("state", ""), "revoked");
  EXPECT_EQ(vj.value("remaining", 1ull), 0u);

  std::string k2 = net.completed_contract(10);
  ASSERT_TRUE(
      net.ok({"voucher", "apply", "--from", "bj-ai", "--contract-id", k2, "--program", "CN-GZ"}));
  ASSERT_TRUE(net.ok(
      {"voucher", "reject", "--from", gz_, "--contract-id", k2, "--reason", "incomplete records"}));
  EXPECT_EQ(net.rpc("application_get", {{"contract_id", k2}}).value("state", ""), "rejected");

  ASSERT_TRUE(net.ok({"program",
                      "set",
                      "--from",
                      gz_,
                      "--province",
                      "CN-GZ",
                      "--basis",
                      "provider",
                      "--rate-bps",
                      "250",
                      "--max-per-voucher",
                      "5000000",
                      "--max-per-buyer-per-year",
                      "10000000",
                      "--max-term-ms",
                      "31622400000",
                      "--validity-ms",
                      "31536000000",
                      "--budget",
                      "200000000.00"}));
  auto prog = net.rpc("program_get", {{"province", "CN-GZ"}});
  EXPECT_EQ(prog.value("rate_bps", 0ull), 250u);
  EXPECT_EQ(prog.value("budget", 0ull), 20000000000u);
  EXPECT_EQ(prog.value("max_per_voucher", 0ull), 500000000u);
}

TEST_F(WalletTxTest, SettlementAndProposals) {
  ASSERT_TRUE(
      net.ok({"transfer", "--from", "bj-ai", "--to", "gz-supercomputing", "--amount", "12.34"}));
  uint64_t period = net.rpc("settlement_current", nlohmann::json::object()).value("period", 0ull);
  ASSERT_GT(period, 0u);
  std::string p = std::to_string(period);
  ASSERT_TRUE(net.ok({"settlement", "close", "--from", gz_}));
  ASSERT_TRUE(net.ok({"settlement", "sign", "--from", gz_, "--period", p}));
  RunResult twice = net.wallet({"settlement", "sign", "--from", gz_, "--period", p, "--wait"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("already_signed"), std::string::npos) << twice.err;
  ASSERT_TRUE(net.ok({"settlement", "sign", "--from", "bj-regulator", "--period", p}));
  EXPECT_EQ(net.rpc("settlement_get", {{"period", period}}).value("status", ""), "final");

  // A Shanghai regulator, proposed by Guizhou and approved by Beijing.
  std::string pk = new_key("sh-reg");
  RunResult proposed =
      net.wallet({"regulator", "propose", "--from", gz_, "--pubkey", "sh-reg", "--province",
                  "CN-SH", "--name", "上海市通信管理局", "--credit-code",
                  genesis::make_credit_code("11310000MB2345678"), "--wait"});
  ASSERT_EQ(proposed.exit_code, 0) << proposed.err;
  auto at = proposed.out.find("  proposal ");
  ASSERT_NE(at, std::string::npos) << proposed.out;
  std::string proposal = proposed.out.substr(at + 11, 64);
  ASSERT_TRUE(net.ok({"proposal", "approve", "--from", "bj-regulator", "--proposal", proposal}));
  EXPECT_EQ(net.rpc("participant_get", {{"pubkey", pk}}).value("role", ""), "regulator");

  // A learner proposal, not carried out: the proposer approving again is refused.
  RunResult node = net.wallet({"--json", "node", "propose", "--from", gz_, "--action",
                               "add_learner", "--node-id", "sh-1", "--pubkey", random_hex(32),
                               "--address", "127.0.0.1:1", "--wait"});
  ASSERT_EQ(node.exit_code, 0) << node.err;
  std::string np = node.json().value("tx_hash", "");
  RunResult again = net.wallet({"proposal", "approve", "--from", gz_, "--proposal", np, "--wait"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already_approved"), std::string::npos) << again.err;
  EXPECT_EQ(net.rpc("proposal_get", {{"proposal", np}}).value("state", ""), "pending");
}

TEST_F(WalletTxTest, OfflineSignedTransactionIsAcceptedByTxSend) {
  // --offline never contacts the node, whatever else is given.
  RunResult off =
      run_binary(wallet_binary(),
                 {"--node", "http://127.0.0.1:1", "--keystore", net.keystore(), "--password-file",
                  net.password_file(), "deposit", "--chain-id", net.devnet().chain_id(), "--from",
                  gz_, "--to", "gd-robotics", "--amount", "1070000.10", "--reference",
                  "off-" + random_hex(4), "--offline", "--wait"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  auto tx = off.json();
  ASSERT_TRUE(tx.is_object()) << off.out;
  EXPECT_EQ(tx["payload"].value("amount", 0ull), 107000010u);
  EXPECT_EQ(tx.value("signature", "").size(), 128u);
  uint64_t before = balance("gd-robotics");
  RunResult sent = net.wallet({"--json", "tx", "send", "-", "--wait"}, off.out);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_EQ(sent.json().value("status", ""), "committed");
  EXPECT_TRUE(sent.json()["result"].value("ok", false));
  EXPECT_EQ(balance("gd-robotics"), before + 107000010u);
  std::string hash = sent.json().value("tx_hash", "");
  RunResult got = net.wallet({"tx", "get", hash});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.out.find("committed"), std::string::npos) << got.out;
  RunResult dup = net.wallet({"tx", "send", "-"}, off.out);  // the same hash again
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.err.find("duplicate"), std::string::npos) << dup.err;
  std::string tampered = off.out;
  tampered.replace(tampered.find("107000010"), 9, "107000011");
  RunResult bad = net.wallet({"tx", "send", "-"}, tampered);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("signature"), std::string::npos) << bad.err;
}

TEST_F(WalletTxTest, ErrorExitsNameWhatIsWrong) {
  struct Case {
    V args;
    int exit;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"deposit", "--from", gz_, "--to", "bj-ai", "--amount", "1.234", "--reference", "r"},
       2,
       "--amount"},
      {{"deposit", "--from", gz_, "--to", "bj-ai", "--amount", "-5", "--reference", "r"},
       2,
       "--amount"},
      {{"deposit", "--from", gz_, "--to", "bj-ai", "--amount", "1"}, 2, "--reference"},
      {{"deposit", "--to", "bj-ai", "--amount", "1", "--reference", "r"}, 2, "--from"},
      {{"deposit", "--from", "nobody", "--to", "bj-ai", "--amount", "1", "--reference", "r"},
       2,
       "no key named 'nobody'"},
      {{"deposit", "--from", gz_, "--to", "someone", "--amount", "1", "--reference", "r"},
       2,
       "--to"},
      {{"contract", "accept", "--from", "gz-intelligent", "--contract-id", "XYZ"},
       2,
       "--contract-id"},
      {{"contract", "create", "--from", "bj-ai", "--provider", "gz-intelligent", "--class",
        "quantum", "--model", "m", "--unit", "card_hour", "--quantity", "1", "--unit-price", "1",
        "--deadline", "+1d"},
       2,
       "--class"},
      {{"participant", "freeze", "--from", gz_, "--pubkey", "bj-ai", "--frozen", "maybe"},
       2,
       "--frozen"},
      {{"deposit", "--from", gz_, "--bogus", "1"}, 2, "bogus"},
      {{"frobnicate"}, 2, "unknown command"},
      {{"withdraw", "--from", "sh-biotech", "--amount", "99999999999", "--reference",
        "big-" + random_hex(4), "--wait"},
       1,
       "insufficient_funds"},
      {{"contract", "show", random_hex(16)}, 1, "no contract"},
  };
  for (const Case& c : cases) {
    RunResult r = net.wallet(c.args);
    std::string cmd;
    for (const auto& a : c.args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, c.exit) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << cmd << "\n" << r.err;
  }
  RunResult down = run_binary(wallet_binary(), {"--node", "http://127.0.0.1:1", "status"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("cannot reach the node"), std::string::npos) << down.err;
}

}  // namespace
}  // namespace suanli::wallet::testing
