// Read methods over objects built through the ledger harness, tx_submit with
// and without waiting, min_height, batches and the HTTP extras.
#include <algorithm>
#include <future>
#include <set>

#include "ledger/codec.h"
#include "ledger/ledger.h"
#include "tests/rpc/rpc_test_util.h"

namespace suanli::rpc::testing {
namespace {

using ledger::TxType;

class RpcMethodsTest : public RpcFixture {
 protected:
  std::string hex(const std::string& actor) {
    return to_hex(service_->harness().actor(actor).key.pubkey);
  }

  // A completed, vouchered contract (bj-buyer from gz-prov), a second
  // contract paying with part of that voucher, a closed settlement period
  // and a node proposal.
  void build_story() {
    auto& h = service_->harness();
    PubKey prov = h.actor("gz-prov").key.pubkey;
    ledger::Resource res{ledger::ResourceClass::kIntelligent, "H100",
                         ledger::ResourceUnit::kCardHour};
    c1_ = h.new_contract_id();
    service_->ok("bj-buyer", TxType::kContractCreate,
                 ledger::ContractCreate{
                     c1_, prov, res, 100, 1000000, h.time() + 30 * ledger::testing::kDayMs, {}});
    service_->ok("gz-prov", TxType::kContractAccept, ledger::ContractRef{c1_});
    Hash32 evidence{};
    evidence.fill(0xee);
    service_->ok("gz-prov", TxType::kDeliveryReport, ledger::DeliveryReport{c1_, 100, evidence});
    service_->ok("bj-buyer", TxType::kDeliveryAck, ledger::DeliveryRef{c1_, 1});
    service_->ok("bj-buyer", TxType::kContractClose, ledger::ContractRef{c1_});
    service_->ok("bj-buyer", TxType::kVoucherApply, ledger::VoucherApply{c1_, "CN-GZ"});
    service_->ok("gz-reg", TxType::kVoucherIssue, ledger::ContractRef{c1_});
    voucher_ = ledger::voucher_id_for(c1_);
    c2_ = h.new_contract_id();
    service_->ok("bj-buyer", TxType::kContractCreate,
                 ledger::ContractCreate{c2_,
                                        prov,
                                        res,
                                        10,
                                        1000000,
                                        h.time() + 30 * ledger::testing::kDayMs,
                                        {ledger::VoucherUse{voucher_, 1000000}}});
    service_->ok("gz-reg", TxType::kSettlementClose, ledger::SettlementClose{});
    ledger::Tx proposal =
        service_->ok("gz-reg", TxType::kNodePropose,
                     ledger::NodePropose{ledger::NodeAction::kAddLearner, "gz-9",
                                         h.actor("gz-buyer").key.pubkey, "127.0.0.1:7609"});
    proposal_ = proposal.hash;
  }

  Id16 c1_{}, c2_{};
  Hash32 voucher_{}, proposal_{};
};

TEST_F(RpcMethodsTest, ContractWithVoucherDeduction) {
  build_story();
  json c = result("contract_get", {{"contract_id", to_hex(c2_)}});
  EXPECT_EQ(c["contract_id"], to_hex(c2_));
  EXPECT_EQ(c["buyer"], hex("bj-buyer"));
  EXPECT_EQ(c["provider"], hex("gz-prov"));
  EXPECT_EQ(c["resource"],
            (json{{"class", "intelligent"}, {"model", "H100"}, {"unit", "card_hour"}}));
  EXPECT_EQ(c["quantity"], 10);
  EXPECT_EQ(c["unit_price"], 1000000);
  EXPECT_EQ(c["amount"], 10000000);
  EXPECT_EQ(c["state"], "proposed");
  EXPECT_EQ(c["delivered"], 0);
  EXPECT_EQ(c["settled"], 0);
  EXPECT_EQ(c["settled_buyer_funded"], 0);
  EXPECT_EQ(c["escrow"], (json{{"buyer_funded", 9000000}, {"voucher_funded", 1000000}}));
  ASSERT_EQ(c["deductions"].size(), 1u);
  EXPECT_EQ(c["deductions"][0]["voucher_id"], to_hex(voucher_));
  EXPECT_EQ(c["deductions"][0]["amount"], 1000000);
  EXPECT_EQ(c["deliveries"], json::array());
  EXPECT_EQ(c["cross_province"], true);
  EXPECT_TRUE(c["created_at"].is_number_unsigned());
  EXPECT_TRUE(c["deadline"].is_number_unsigned());

  json done = result("contract_get", {{"contract_id", to_hex(c1_)}});
  EXPECT_EQ(done["state"], "completed");
  EXPECT_EQ(done["delivered"], 100);
  EXPECT_EQ(done["settled"], 100000000);
  ASSERT_EQ(done["deliveries"].size(), 1u);
  EXPECT_EQ(done["deliveries"][0]["seq"], 1);
  EXPECT_EQ(done["deliveries"][0]["state"], "acked");
  EXPECT_EQ(done["deliveries"][0]["evidence"], std::string(64, 'e'));
  EXPECT_FALSE(done["deliveries"][0].contains("accepted_quantity"));
  EXPECT_EQ(error_code("contract_get", {{"contract_id", std::string(32, '0')}}), errc::kNotFound);
}

TEST_F(RpcMethodsTest, VoucherApplicationAndProgramme) {
  build_story();
  json v = result("voucher_get", {{"voucher_id", to_hex(voucher_)}});
  EXPECT_EQ(v["voucher_id"], to_hex(voucher_));
  EXPECT_EQ(v["contract_id"], to_hex(c1_));
  EXPECT_EQ(v["buyer"], hex("bj-buyer"));
  EXPECT_EQ(v["province"], "CN-GZ");
  EXPECT_EQ(v["issuer"], hex("gz-reg"));
  EXPECT_EQ(v["amount"], 3000000);
  EXPECT_EQ(v["remaining"], 2000000);
  EXPECT_EQ(v["state"], "active");
  EXPECT_GT(v["expires_at"].get<uint64_t>(), v["issued_at"].get<uint64_t>());

  json a = result("application_get", {{"contract_id", to_hex(c1_)}});
  EXPECT_EQ(a, (json{{"contract_id", to_hex(c1_)},
                     {"buyer", hex("bj-buyer")},
                     {"program", "CN-GZ"},
                     {"state", "issued"},
                     {"voucher_id", to_hex(voucher_)}}));

  json p = result("program_get", {{"province", "CN-GZ"}});
  EXPECT_EQ(p["basis"], "provider");
  EXPECT_EQ(p["rate_bps"], 300);
  EXPECT_EQ(p["budget"], 10000000000ull);
  EXPECT_EQ(p["issued"], 3000000);
  EXPECT_EQ(p["redeemed"], 0);
  EXPECT_EQ(p["available"], 10000000000ull - 3000000);
  for (const char* k :
       {"max_per_voucher", "max_per_buyer_per_year", "max_term_ms", "validity_ms"}) {
    EXPECT_TRUE(p[k].is_number_unsigned()) << k;
  }
  EXPECT_EQ(error_code("program_get", {{"province", "CN-SC"}}), errc::kNotFound);

  json list = result("voucher_list", {{"buyer", hex("bj-buyer")}});
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0], v);
  EXPECT_TRUE(list["next_cursor"].is_null());
  EXPECT_EQ(result("voucher_list", {{"state", "revoked"}})["items"].size(), 0u);
  EXPECT_EQ(result("application_list", {{"program", "CN-GZ"}})["items"].size(), 1u);
  EXPECT_EQ(result("application_list", {{"program", "CN-BJ"}})["items"].size(), 0u);
}

TEST_F(RpcMethodsTest, ClosedStatementAndCurrentPeriod) {
  build_story();
  json s = result("settlement_get", {{"period", 1}});
  EXPECT_EQ(s["period"], 1);
  EXPECT_EQ(s["status"], "closed");
  EXPECT_EQ(s["from_height"], 1);
  EXPECT_TRUE(s["to_height"].is_number_unsigned());
  EXPECT_EQ(s["flows"],
            (json::array(
                {json{{"from", "CN-BJ"}, {"to", "CN-GZ"}, {"amount", 100000000}, {"count", 1}}})));
  EXPECT_EQ(s["net"], (json::array({json{{"province", "CN-BJ"}, {"amount", -100000000}},
                                    json{{"province", "CN-GZ"}, {"amount", 100000000}}})));
  EXPECT_EQ(s["unattested"], json::array());
  EXPECT_EQ(s["signatures"], json::array());
  json cur = result("settlement_current");
  EXPECT_EQ(cur["period"], 2);
  EXPECT_EQ(cur["status"], "open");
  EXPECT_EQ(cur["flows"], json::array());
  json list = result("settlement_list");
  ASSERT_EQ(list["items"].size(), 2u);
  EXPECT_EQ(list["items"][0], s);
  EXPECT_EQ(error_code("settlement_get", {{"period", 9}}), errc::kNotFound);
}

TEST_F(RpcMethodsTest, ParticipantsPagesAndFilters) {
  build_story();
  json p = result("participant_get", {{"pubkey", hex("bj-buyer")}});
  EXPECT_EQ(p["pubkey"], hex("bj-buyer"));
  EXPECT_EQ(p["role"], "buyer");
  EXPECT_EQ(p["province"], "CN-BJ");
  EXPECT_EQ(p["name"], "bj-buyer");
  EXPECT_EQ(p["group"], "");
  EXPECT_EQ(p["frozen"], false);
  EXPECT_EQ(p["registered_height"], 0);
  EXPECT_EQ(p["balance"], service_->harness().balance("bj-buyer"));
  EXPECT_TRUE(p["credit_code"].is_string());
  EXPECT_EQ(error_code("participant_get", {{"pubkey", std::string(64, '0')}}), errc::kNotFound);

  // All nine, two at a time.
  std::set<std::string> seen;
  json cursor = nullptr;
  int pages = 0;
  do {
    json params{{"limit", 2}};
    if (!cursor.is_null()) params["cursor"] = cursor;
    json page = result("participant_list", params);
    EXPECT_LE(page["items"].size(), 2u);
    for (const auto& item : page["items"]) seen.insert(item["pubkey"].get<std::string>());
    cursor = page["next_cursor"];
    ASSERT_LT(++pages, 10);
  } while (!cursor.is_null());
  EXPECT_EQ(seen.size(), 9u);
  json buyers = result("participant_list", {{"role", "buyer"}});
  EXPECT_EQ(buyers["items"].size(), 4u);
  json gz = result("participant_list", {{"role", "provider"}, {"province", "CN-GZ"}});
  EXPECT_EQ(gz["items"].size(), 2u);
  EXPECT_EQ(result("contract_list", {{"buyer", hex("bj-buyer")}})["items"].size(), 2u);
  EXPECT_EQ(result("contract_list", {{"state", "completed"}})["items"].size(), 1u);
  EXPECT_EQ(result("contract_list", {{"provider", hex("sc-prov")}})["items"].size(), 0u);
}

TEST_F(RpcMethodsTest, ProposalsStatsStatusGenesis) {
  build_story();
  json p = result("proposal_get", {{"proposal", to_hex(proposal_)}});
  EXPECT_EQ(p["proposal"], to_hex(proposal_));
  EXPECT_EQ(p["action"], "add_learner");
  EXPECT_EQ(p["node_id"], "gz-9");
  EXPECT_EQ(p["address"], "127.0.0.1:7609");
  EXPECT_EQ(p["approvals"], json::array({"CN-GZ"}));
  EXPECT_EQ(p["state"], "pending");
  EXPECT_EQ(result("proposal_list", {{"state", "pending"}})["items"].size(), 1u);
  EXPECT_EQ(result("proposal_list", {{"state", "done"}})["items"].size(), 0u);

  json supply = result("stats_get")["supply"];
  EXPECT_EQ(supply["balances"].get<uint64_t>() + supply["escrow"].get<uint64_t>() +
                supply["voucher_remaining"].get<uint64_t>() +
                supply["budget_available"].get<uint64_t>(),
            supply["genesis_balances"].get<uint64_t>() + supply["budgets"].get<uint64_t>() +
                supply["deposits"].get<uint64_t>() - supply["withdrawals"].get<uint64_t>());
  EXPECT_EQ(supply["budgets"], 15000000000ull);

  json all = result("stats_get");
  EXPECT_EQ(all["participants"], (json{{"regulator", 2}, {"provider", 3}, {"buyer", 4}}));
  EXPECT_EQ(all["contracts"], (json{{"count", 2}, {"amount", 110000000}}));
  EXPECT_EQ(all["vouchers"], (json{{"count", 1},
                                   {"amount", 3000000},
                                   {"redeemed", 0},
                                   {"out_of_province_share_bps", 10000}}));
  EXPECT_EQ(all["out_of_province_buyer_share_bps"], 10000);
  EXPECT_EQ(all["cross_province_settled"], 100000000);
  json gz = result("stats_get", {{"province", "CN-GZ"}});
  EXPECT_EQ(gz["participants"], (json{{"regulator", 1}, {"provider", 2}, {"buyer", 1}}));
  EXPECT_EQ(gz["contracts"], all["contracts"]);
  EXPECT_EQ(gz["vouchers"]["count"], 1);
  EXPECT_EQ(gz["out_of_province_buyer_share_bps"], 10000);
  EXPECT_EQ(gz["supply"], all["supply"]);
  json bj = result("stats_get", {{"province", "CN-BJ"}});
  EXPECT_EQ(bj["contracts"], (json{{"count", 0}, {"amount", 0}}));
  EXPECT_EQ(bj["vouchers"]["count"], 0);
  EXPECT_EQ(bj["out_of_province_buyer_share_bps"], 0);
  EXPECT_EQ(result("stats_get"), all);  // cached for this height

  json status = result("node_status");
  EXPECT_EQ(status["height"], service_->harness().height());
  EXPECT_EQ(status["role"], "leader");
  json g = result("chain_genesis");
  EXPECT_EQ(g["genesis"]["chain_id"], "suanli-test");
}

TEST_F(RpcMethodsTest, BlocksTransactionsAndHistory) {
  build_story();
  uint64_t height = service_->harness().height();
  json latest = result("block_latest");
  EXPECT_EQ(latest["height"], height);
  json b1 = result("block_get", {{"height", 1}});
  for (const char* k : {"height", "hash", "prev_hash", "time", "proposer", "tx_root",
                        "state_height", "state_hash", "tx_count", "txs", "rejected", "signature"}) {
    EXPECT_TRUE(b1.contains(k)) << k;
  }
  EXPECT_EQ(b1["prev_hash"], to_hex(service_->harness().genesis().hash));
  EXPECT_EQ(b1["tx_count"], 1);
  EXPECT_EQ(b1["rejected"], json::array());
  EXPECT_EQ(b1["proposer"], "gz-1");
  json b2 = result("block_get", {{"height", 2}});
  EXPECT_EQ(b2["prev_hash"], b1["hash"]);
  EXPECT_EQ(error_code("block_get", {{"height", height + 1}}), errc::kNotFound);

  // The first block's transaction, as committed.
  json t = result("tx_get", {{"tx_hash", b1["txs"][0]}});
  EXPECT_EQ(t["status"], "committed");
  EXPECT_EQ(t["height"], 1);
  EXPECT_EQ(t["index"], 0);
  EXPECT_EQ(t["result"], (json{{"ok", true}}));
  EXPECT_EQ(t["tx"]["type"], "contract_create");
  EXPECT_EQ(t["tx"]["payload"]["contract_id"], to_hex(c1_));
  EXPECT_EQ(error_code("tx_get", {{"tx_hash", std::string(64, '0')}}), errc::kNotFound);

  // bj-buyer's history, newest first, three at a time.
  std::vector<uint64_t> heights;
  json cursor = nullptr;
  int pages = 0;
  do {
    json params{{"participant", hex("bj-buyer")}, {"limit", 3}};
    if (!cursor.is_null()) params["cursor"] = cursor;
    json page = result("tx_list", params);
    for (const auto& item : page["items"]) {
      heights.push_back(item["height"].get<uint64_t>());
      EXPECT_EQ(item["result"], (json{{"ok", true}}));
      EXPECT_TRUE(item["type"].is_string());
    }
    cursor = page["next_cursor"];
    ASSERT_LT(++pages, 10);
  } while (!cursor.is_null());
  // What bj-buyer signed: create, ack, close, apply, create.
  EXPECT_EQ(heights, (std::vector<uint64_t>{8, 6, 5, 4, 1}));
  EXPECT_EQ(heights.back(), 1u);
}

TEST_F(RpcMethodsTest, SubmitWithoutWaitThenReadYourWrite) {
  auto& h = service_->harness();
  ledger::Tx tx = h.make("gz-reg", TxType::kDeposit,
                         ledger::Deposit{h.actor("gd-buyer").key.pubkey, 700, "dep-1"});
  json r = result("tx_submit", {{"tx", ledger::tx_to_json(tx, true)}});
  EXPECT_EQ(r["tx_hash"], to_hex(tx.hash));
  EXPECT_EQ(r["status"], "pending");
  EXPECT_FALSE(r.contains("height"));
  json t =
      result("tx_get", {{"tx_hash", to_hex(tx.hash)}, {"min_height", 1}, {"timeout_ms", 5000}});
  EXPECT_EQ(t["status"], "committed");
  EXPECT_EQ(t["height"], 1);
  EXPECT_EQ(t["tx"], ledger::tx_to_json(tx, true));
}

TEST_F(RpcMethodsTest, SubmitWaitCommitted) {
  auto& h = service_->harness();
  ledger::Tx tx = h.make("gz-reg", TxType::kDeposit,
                         ledger::Deposit{h.actor("gd-buyer").key.pubkey, 700, "dep-2"});
  json r =
      result("tx_submit",
             {{"tx", ledger::tx_to_json(tx, true)}, {"wait", "committed"}, {"timeout_ms", 5000}});
  EXPECT_EQ(r["tx_hash"], to_hex(tx.hash));
  EXPECT_EQ(r["status"], "committed");
  EXPECT_EQ(r["height"], 1);
  EXPECT_EQ(r["index"], 0);
  EXPECT_EQ(r["result"], (json{{"ok", true}}));

  // A failing transaction is committed with its result code.
  ledger::Tx again = h.make("gz-reg", TxType::kDeposit,
                            ledger::Deposit{h.actor("gd-buyer").key.pubkey, 700, "dep-2"});
  r = result("tx_submit", {{"tx", ledger::tx_to_json(again, true)}, {"wait", "committed"}});
  EXPECT_EQ(r["status"], "committed");
  EXPECT_EQ(r["result"]["ok"], false);
  EXPECT_EQ(r["result"]["error"], "duplicate_reference");
  EXPECT_TRUE(r["result"]["message"].is_string());
}

TEST_F(RpcMethodsTest, SubmitWaitTimesOutThenPendingThenExpired) {
  service_->set_auto_commit(false);
  auto& h = service_->harness();
  ledger::Tx tx = h.make("gz-reg", TxType::kDeposit,
                         ledger::Deposit{h.actor("gd-buyer").key.pubkey, 700, "dep-3"});
  json r = call("tx_submit",
                {{"tx", ledger::tx_to_json(tx, true)}, {"wait", "committed"}, {"timeout_ms", 100}});
  EXPECT_EQ(r["error"]["code"], errc::kTimeout);
  EXPECT_EQ(r["error"]["data"]["tx_hash"], to_hex(tx.hash));
  json t = result("tx_get", {{"tx_hash", to_hex(tx.hash)}});
  EXPECT_EQ(t["status"], "pending");
  EXPECT_EQ(t["tx"], ledger::tx_to_json(tx, true));
  EXPECT_FALSE(t.contains("height"));
  service_->expire(tx.hash);
  EXPECT_EQ(result("tx_get", {{"tx_hash", to_hex(tx.hash)}})["status"], "expired");
}

TEST_F(RpcMethodsTest, WaitingDoesNotBlockOtherConnections) {
  service_->set_auto_commit(false);
  auto& h = service_->harness();
  ledger::Tx tx = h.make("gz-reg", TxType::kDeposit,
                         ledger::Deposit{h.actor("gd-buyer").key.pubkey, 700, "dep-4"});
  std::string body =
      json{{"jsonrpc", "2.0"},
           {"id", 1},
           {"method", "tx_submit"},
           {"params",
            {{"tx", ledger::tx_to_json(tx, true)}, {"wait", "committed"}, {"timeout_ms", 1500}}}}
          .dump();
  // Several waiters on their own connections, more than the server's threads.
  std::vector<std::future<HttpResult>> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.push_back(std::async(std::launch::async, [port = server_->port(), body] {
      HttpClient c(port);
      return c.request("POST", "/", body);
    }));
  }
  for (int i = 0; i < 1000 && service_->waiting() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(service_->waiting(), 4u);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(result("node_status")["node_id"], "gz-1");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  for (auto& w : waiters) {
    HttpResult r = w.get();
    EXPECT_EQ(r.json_body()["error"]["code"], errc::kTimeout);
  }
}

TEST_F(RpcMethodsTest, MinHeightWaitsAndTimesOut) {
  EXPECT_EQ(error_code("block_latest"), errc::kNotFound);
  auto& h = service_->harness();
  auto applier = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    service_->ok("gz-reg", TxType::kDeposit,
                 ledger::Deposit{h.actor("sh-buyer").key.pubkey, 5, "late"});
  });
  json b = result("block_latest", {{"min_height", 1}, {"timeout_ms", 5000}});
  EXPECT_EQ(b["height"], 1);
  applier.get();
  auto start = std::chrono::steady_clock::now();
  json r = call("participant_get",
                {{"pubkey", hex("sh-buyer")}, {"min_height", 5}, {"timeout_ms", 100}});
  EXPECT_EQ(r["error"]["code"], errc::kTimeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
  // Reached already: answers at once.
  EXPECT_EQ(result("participant_get", {{"pubkey", hex("sh-buyer")}, {"min_height", 1}})["role"],
            "buyer");
}

TEST_F(RpcMethodsTest, BatchesCarryIds) {
  auto& h = service_->harness();
  ledger::Tx tx = h.make("gz-reg", TxType::kDeposit,
                         ledger::Deposit{h.actor("gd-buyer").key.pubkey, 700, "dep-5"});
  json batch =
      json::array({json{{"jsonrpc", "2.0"}, {"id", "a"}, {"method", "node_status"}},
                   json{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "nope"}},
                   json{{"jsonrpc", "2.0"}, {"method", "node_status"}},  // notification: no answer
                   json{{"jsonrpc", "2.0"},
                        {"id", 3},
                        {"method", "tx_submit"},
                        {"params", {{"tx", ledger::tx_to_json(tx, true)}, {"wait", "committed"}}}},
                   json{{"jsonrpc", "2.0"}, {"id", nullptr}, {"method", "chain_genesis"}}});
  HttpResult r = post(batch.dump());
  ASSERT_EQ(r.status, 200u);
  json out = r.json_body();
  ASSERT_TRUE(out.is_array());
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0]["id"], "a");
  EXPECT_EQ(out[0]["result"]["node_id"], "gz-1");
  EXPECT_EQ(out[1]["id"], 2);
  EXPECT_EQ(out[1]["error"]["code"], errc::kMethodNotFound);
  EXPECT_EQ(out[2]["id"], 3);
  EXPECT_EQ(out[2]["result"]["status"], "committed");
  EXPECT_TRUE(out[3]["id"].is_null());
  EXPECT_TRUE(out[3].contains("result"));

  // Only notifications: nothing to answer.
  r = post(R"([{"jsonrpc":"2.0","method":"node_status"}])");
  EXPECT_EQ(r.status, 204u);
  r = post(R"({"jsonrpc":"2.0","method":"node_status"})");
  EXPECT_EQ(r.status, 204u);
}

TEST_F(RpcMethodsTest, OperatorMethodsWithToken) {
  std::map<std::string, std::string> auth{{"Authorization", "Bearer s3cret-token"}};
  json r = call("admin_snapshot", json::object(), auth);
  EXPECT_EQ(r["result"], (json{{"ok", true}}));
  r = call("admin_set_log_level", {{"level", "debug"}}, auth);
  EXPECT_EQ(r["result"], (json{{"ok", true}}));
  r = call("admin_transfer_leadership", {{"node_id", "gz-2"}}, auth);
  EXPECT_EQ(r["result"], (json{{"ok", true}}));
  r = call("admin_backup", {{"dir", "/var/backups/suanli/b1"}}, auth);
  EXPECT_EQ(r["result"]["format"], "suanli-backup-1");
  // Only an absolute path is passed on to the node.
  for (const json& bad : {json("relative/dir"), json(""), json(7), json(std::string(5000, '/'))}) {
    r = call("admin_backup", {{"dir", bad}}, auth);
    EXPECT_EQ(r["error"]["code"], errc::kInvalidParams) << bad.dump().substr(0, 40);
  }
  r = call("admin_backup", {{"dir", "/x"}});
  EXPECT_EQ(r["error"]["code"], errc::kUnauthorized);
  EXPECT_EQ(service_->operator_calls(),
            (std::vector<std::string>{"snapshot", "log_level debug", "transfer_leadership gz-2",
                                      "backup /var/backups/suanli/b1"}));
}

TEST_F(RpcMethodsTest, HealthMetricsAndPage) {
  result("node_status");
  HttpResult r = client_->request("GET", "/healthz", "", {}, "");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json_body()["status"], "ok");
  r = client_->request("GET", "/metrics", "", {}, "");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("suanli_rpc_requests_total{method=\"node_status\"} 1"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("suanli_height 0"), std::string::npos);
  EXPECT_NE(r.body.find("suanli_mempool_size 0"), std::string::npos);
  r = client_->request("GET", "/", "", {}, "");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.content_type.find("text/html"), std::string::npos);
}

TEST_F(RpcMethodsTest, ExpectContinueAndNotificationErrors) {
  std::string body = R"({"jsonrpc":"2.0","id":5,"method":"node_status"})";
  client_->send(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_EQ(client_->read().status, 100u);
  client_->send(body);
  HttpResult r = client_->read();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json_body()["id"], 5);
  // A notification is not answered, not even when it fails.
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","method":"nope"})").status, 204u);
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","method":"tx_get","params":{}})").status, 204u);
  // An invalid request without an id is answered with id null.
  json e = post(R"({"jsonrpc":"1.0","method":"node_status"})").json_body();
  EXPECT_EQ(e["error"]["code"], errc::kInvalidRequest);
  EXPECT_TRUE(e["id"].is_null());
}

}  // namespace
}  // namespace suanli::rpc::testing
