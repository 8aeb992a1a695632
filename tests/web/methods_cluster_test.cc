// Every JSON-RPC method of API.md against a live 3-node cluster of suanlid
// processes: transactions submitted to followers (forwarded to the leader)
// with wait: committed, then each read method on every node with
// min_height, which must answer alike; operator methods with the node's
// bearer token.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "tests/web/web_util.h"
#include "wallet/rpc_client.h"

namespace suanli::testing {
namespace {

using ledger::TxType;
using nlohmann::json;

uint64_t wall_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

class MethodsClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = std::make_unique<ProcessDevnet>(3, temp_dir("web-methods"));
    ASSERT_TRUE(d_->start_all());
    leader_ = d_->leader(5000);
    ASSERT_GE(leader_, 0);
  }
  int follower(int k) const { return (leader_ + 1 + k % 2) % 3; }

  // Through a follower, waiting for commit on it; the committed result.
  json send(int k, const std::string& signer, TxType type, ledger::Payload payload) {
    ledger::Tx tx = d_->make(signer, type, std::move(payload));
    hashes_.push_back(to_hex(tx.hash));
    json r = must(*d_, follower(k), "tx_submit",
                  {{"tx", json::parse(tx.canonical)}, {"wait", "committed"}, {"timeout_ms", 10000}});
    EXPECT_EQ(r.value("status", ""), "committed") << ledger::tx_type_name(type) << r.dump();
    EXPECT_EQ(r["result"]["ok"], true) << ledger::tx_type_name(type) << ": " << r.dump();
    return r;
  }

  // The same answer from every node once it has applied `height`.
  json alike(const std::string& method, json params, uint64_t height) {
    params["min_height"] = height;
    params["timeout_ms"] = 10000;
    json first = must(*d_, 0, method, params);
    for (int i = 1; i < 3; ++i) {
      json other = must(*d_, i, method, params);
      EXPECT_EQ(other, first) << method << " differs on node " << i;
    }
    return first;
  }

  std::unique_ptr<ProcessDevnet> d_;
  int leader_ = -1;
  std::vector<std::string> hashes_;
};

TEST_F(MethodsClusterTest, EveryMethodThroughFollowersAndOnEveryNode) {
  const PubKey provider = d_->key("gz-supercomputing").pubkey;
  const std::string buyer = to_hex(d_->key("bj-ai").pubkey);
  Id16 k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(0x30 + i);
  const ledger::Resource gpu{ledger::ResourceClass::kIntelligent, "H800",
                             ledger::ResourceUnit::kCardHour};
  send(0, "bj-ai", TxType::kContractCreate,
       ledger::ContractCreate{k, provider, gpu, 500, 2000, wall_ms() + 30ULL * 86400000, {}});
  send(1, "gz-supercomputing", TxType::kContractAccept, ledger::ContractRef{k});
  send(0, "gz-supercomputing", TxType::kDeliveryReport,
       ledger::DeliveryReport{k, 500, ledger::blake2b256("meter")});
  send(1, "bj-ai", TxType::kDeliveryAck, ledger::DeliveryRef{k, 1});
  send(0, "bj-ai", TxType::kContractClose, ledger::ContractRef{k});
  send(1, "bj-ai", TxType::kVoucherApply, ledger::VoucherApply{k, "CN-GZ"});
  send(0, "gz-regulator", TxType::kVoucherIssue, ledger::ContractRef{k});
  send(1, "gz-regulator", TxType::kSettlementClose, ledger::SettlementClose{});
  auto joiner = ledger::keypair_from_seed(std::array<uint8_t, 32>{7});
  json prop = send(0, "gz-regulator", TxType::kNodePropose,
                   ledger::NodePropose{ledger::NodeAction::kAddLearner, "gz-9", joiner.pubkey,
                                       "127.0.0.1:1"});
  if (HasFailure()) return;
  const uint64_t h = prop["height"];
  const std::string contract = to_hex(k);
  const std::string voucher = to_hex(ledger::voucher_id_for(k));

  // tx_get, tx_list, blocks.
  json tx = alike("tx_get", {{"tx_hash", hashes_[0]}}, h);
  EXPECT_EQ(tx["status"], "committed");
  EXPECT_EQ(tx["tx"]["type"], "contract_create");
  json txs = alike("tx_list", {{"participant", buyer}, {"limit", 100}}, h);
  EXPECT_GE(txs["items"].size(), 4u) << txs.dump();
  json block = alike("block_get", {{"height", tx["height"]}}, h);
  EXPECT_NE(std::find(block["txs"].begin(), block["txs"].end(), hashes_[0]), block["txs"].end());
  EXPECT_GE(must(*d_, leader_, "block_latest")["height"].get<uint64_t>(), h);
  // Participants.
  json p = alike("participant_get", {{"pubkey", buyer}}, h);
  EXPECT_EQ(p["role"], "buyer");
  EXPECT_EQ(p["province"], "CN-BJ");
  json regs = alike("participant_list", {{"role", "regulator"}, {"limit", 10}}, h);
  EXPECT_EQ(regs["items"].size(), 2u);
  // Contracts, applications, vouchers, programmes.
  json c = alike("contract_get", {{"contract_id", contract}}, h);
  EXPECT_EQ(c["state"], "completed");
  EXPECT_EQ(c["amount"], 1000000);
  EXPECT_EQ(c["cross_province"], true);
  EXPECT_EQ(alike("contract_list", {{"buyer", buyer}, {"limit", 10}}, h)["items"].size(), 1u);
  json app = alike("application_get", {{"contract_id", contract}}, h);
  EXPECT_EQ(app["state"], "issued");
  EXPECT_EQ(app["voucher_id"], voucher);
  EXPECT_EQ(alike("application_list", {{"program", "CN-GZ"}, {"limit", 10}}, h)["items"].size(), 1u);
  json v = alike("voucher_get", {{"voucher_id", voucher}}, h);
  EXPECT_EQ(v["amount"], 30000) << "3% of ¥10,000.00";
  EXPECT_EQ(alike("voucher_list", {{"buyer", buyer}, {"limit", 10}}, h)["items"].size(), 1u);
  json prog = alike("program_get", {{"province", "CN-GZ"}}, h);
  EXPECT_EQ(prog["issued"], 30000);
  // Settlement.
  json s1 = alike("settlement_get", {{"period", 1}}, h);
  EXPECT_EQ(s1["status"], "closed");
  ASSERT_EQ(s1["flows"].size(), 1u);
  EXPECT_EQ(s1["flows"][0]["amount"], 1000000);
  json periods = alike("settlement_list", {{"limit", 10}}, h)["items"];
  ASSERT_GE(periods.size(), 1u);
  bool listed = false;
  for (const auto& st : periods) listed = listed || (st["period"] == 1 && st["status"] == "closed");
  EXPECT_TRUE(listed) << periods.dump();
  EXPECT_EQ(alike("settlement_current", json::object(), h)["flows"].size(), 0u);
  // Proposals, stats, genesis.
  json pr = alike("proposal_get", {{"proposal", hashes_.back()}}, h);
  EXPECT_EQ(pr["state"], "pending");
  EXPECT_EQ(pr["node_id"], "gz-9");
  EXPECT_EQ(alike("proposal_list", {{"state", "pending"}}, h)["items"].size(), 1u);
  json stats = alike("stats_get", {{"province", "CN-GZ"}}, h);
  EXPECT_EQ(stats["vouchers"]["count"], 1);
  json g = alike("chain_genesis", json::object(), h);
  EXPECT_EQ(g["hash"].get<std::string>().size(), 64u);
  // node_status differs per node by design; each names the same leader.
  std::string leader_id = d_->devnet().nodes.at(static_cast<size_t>(leader_)).node_id;
  for (int i = 0; i < 3; ++i) {
    json st = must(*d_, i, "node_status");
    EXPECT_EQ(st["leader_id"], leader_id) << i;
    EXPECT_EQ(st["role"], i == leader_ ? "leader" : "follower") << i;
    EXPECT_EQ(st["peers"].size(), 2u) << i;
  }
  // A read-your-write: submitted to a follower without waiting, then read on
  // the other follower with min_height.
  ledger::Tx t = d_->make("gd-robotics", TxType::kTransfer,
                          ledger::Transfer{provider, 777, "read your write"});
  json sub = must(*d_, follower(0), "tx_submit", {{"tx", json::parse(t.canonical)}});
  EXPECT_EQ(sub["status"], "pending");
  json seen = json::object();
  for (int attempt = 0; attempt < 100 && seen.value("status", "") != "committed"; ++attempt) {
    auto r = d_->call(follower(1), "tx_get", {{"tx_hash", to_hex(t.hash)}});
    if (r && r->contains("result")) seen = (*r)["result"];
    if (seen.value("status", "") != "committed") {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_EQ(seen["status"], "committed") << seen.dump();

  // Operator methods, with the node's bearer token (and refused without it).
  const int f = follower(0);
  const auto& node = d_->devnet().nodes.at(static_cast<size_t>(f));
  std::ifstream config_file(node.config_path);
  const std::string token = json::parse(config_file)["rpc_token"];
  wallet::RpcClient op("127.0.0.1:" + std::to_string(rpc_port(*d_, f)));
  auto refused = op.call("admin_snapshot", json::object(), 5000);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->error_code, -32009);
  op.set_token(token);
  auto snap = op.call("admin_snapshot", json::object(), 10000);
  ASSERT_TRUE(snap && snap->ok) << (snap ? snap->error_message : "no answer");
  auto level = op.call("admin_set_log_level", {{"level", "debug"}}, 5000);
  ASSERT_TRUE(level && level->ok);
  auto bad_level = op.call("admin_set_log_level", {{"level", "loud"}}, 5000);
  ASSERT_TRUE(bad_level);
  EXPECT_EQ(bad_level->error_code, -32602);
  // Leadership moves to the follower the operator names.
  wallet::RpcClient lop("127.0.0.1:" + std::to_string(rpc_port(*d_, leader_)));
  std::ifstream leader_config(d_->devnet().nodes.at(static_cast<size_t>(leader_)).config_path);
  lop.set_token(json::parse(leader_config)["rpc_token"].get<std::string>());
  auto moved = lop.call("admin_transfer_leadership", {{"node_id", node.node_id}}, 10000);
  ASSERT_TRUE(moved && moved->ok) << (moved ? moved->error_message : "no answer");
  std::string role;
  for (int attempt = 0; attempt < 200 && role != "leader"; ++attempt) {
    auto st = d_->call(f, "node_status", json::object(), 1000);
    if (st && st->contains("result")) role = (*st)["result"]["role"];
    if (role != "leader") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(role, "leader") << node.node_id << " did not take over";
}

}  // namespace
}  // namespace suanli::testing
