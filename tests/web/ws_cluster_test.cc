// WebSocket subscriptions on a live 3-node cluster of suanlid processes:
// every block once and in order across a leader change (the leader is
// killed mid-stream; the subscriber is on a surviving node), and /metrics
// and /healthz of that node against its live values.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "tests/rpc/ws_client.h"
#include "tests/web/web_util.h"

namespace suanli::testing {
namespace {

using nlohmann::json;
using rpc::testing::WsClient;

// The value of the sample "name{labels}" in a /metrics body, or -1.
double sample(const std::string& body, const std::string& name) {
  auto pos = body.find("\n" + name + " ");
  if (pos == std::string::npos) return -1;
  return std::stod(body.substr(pos + name.size() + 2));
}

TEST(WsClusterTest, EveryBlockOnceInOrderAcrossALeaderChange) {
  ProcessDevnet d(3, temp_dir("web-ws"));
  ASSERT_TRUE(d.start_all());
  int leader = d.leader(10000);
  ASSERT_GE(leader, 0);
  const int sub = (leader + 1) % 3, other = (leader + 2) % 3;
  WsClient ws(rpc_port(d, sub));
  ASSERT_TRUE(ws.connected());
  json r1 = ws.call("subscribe", {{"topic", "blocks"}});
  json r2 = ws.call("subscribe", {{"topic", "txs"}});
  ASSERT_TRUE(r1["result"].is_string() && r2["result"].is_string()) << r1 << r2;
  const uint64_t start = must(d, sub, "node_status")["height"].get<uint64_t>();
  EXPECT_EQ(start, 0u) << "a fresh devnet: the applied counts below start from genesis";

  // Load on the two nodes that survive; the leader is killed half way.
  PubKey prov = d.key("gz-supercomputing").pubkey;
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&, t] {
      const char* buyer = t == 0 ? "bj-ai" : t == 1 ? "gd-robotics" : "sh-biotech";
      int node = t % 2 ? sub : other;
      while (!stop.load()) {
        ledger::Tx tx;
        {
          std::lock_guard lock(mu);
          tx = d.make(buyer, ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""});
        }
        auto r = d.call(
            node, "tx_submit",
            {{"tx", json::parse(tx.canonical)}, {"wait", "committed"}, {"timeout_ms", 3000}}, 6000);
        if (r && r->contains("result") && (*r)["result"]["status"] == "committed") {
          std::lock_guard lock(mu);
          acknowledged.insert((*r)["result"]["tx_hash"].get<std::string>());
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  d.kill9(leader);
  size_t before_kill = 0;
  {
    std::lock_guard lock(mu);
    before_kill = acknowledged.size();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  stop = true;
  for (auto& c : clients) c.join();
  ASSERT_GT(before_kill, 5u) << "too little load before the kill";
  ASSERT_GT(acknowledged.size(), before_kill) << "nothing committed after the leader change";
  int new_leader = d.leader(10000);
  ASSERT_TRUE(new_leader == sub || new_leader == other);

  // Both survivors at the same height; then the notifications up to it.
  uint64_t end = 0;
  for (int i = 0; i < 100; ++i) {
    end = must(d, sub, "node_status")["height"].get<uint64_t>();
    if (end == must(d, other, "node_status")["height"].get<uint64_t>()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GT(end, start);
  uint64_t next = start + 1;
  std::vector<std::string> expected_txs;  // of blocks seen, in order
  std::vector<std::string> seen_txs;
  while (next <= end || seen_txs.size() < expected_txs.size()) {
    auto n = ws.next_notification(10000);
    ASSERT_TRUE(n.has_value()) << "no notification after block " << next - 1 << " of " << end;
    const json& p = (*n)["params"];
    if (p["topic"] == "blocks") {
      ASSERT_EQ(p["result"]["height"], next) << "a block missing, repeated or out of order";
      json block = must(d, sub, "block_get", {{"height", next}});
      EXPECT_EQ(p["result"]["hash"], block["hash"]);
      // Committed in this block: not a hash already committed earlier (a
      // transaction re-forwarded to the new leader may be included twice;
      // the second inclusion is skipped as a duplicate and not notified).
      for (size_t i = 0; i < block["txs"].size(); ++i) {
        json t = must(d, sub, "tx_get", {{"tx_hash", block["txs"][i]}});
        if (t["height"] == next && t["index"] == i) expected_txs.push_back(block["txs"][i]);
      }
      ++next;
    } else {
      ASSERT_EQ(p["topic"], "txs");
      seen_txs.push_back(p["result"]["tx_hash"]);
      EXPECT_EQ(p["result"]["height"], next - 1) << "a tx notified with its block";
      EXPECT_EQ(p["result"]["result"]["ok"], true);
    }
  }
  EXPECT_EQ(seen_txs, expected_txs);
  std::set<std::string> seen(seen_txs.begin(), seen_txs.end());
  EXPECT_EQ(seen.size(), seen_txs.size()) << "a transaction notified twice";
  for (const auto& h : acknowledged) EXPECT_TRUE(seen.count(h)) << "not notified: " << h;
  EXPECT_FALSE(ws.next_notification(300).has_value()) << "more than the chain holds";

  // /metrics and /healthz of the subscriber's node against its live values.
  json status = must(d, sub, "node_status");
  auto metrics = rpc::testing::http_get(rpc_port(d, sub), "/metrics");
  ASSERT_EQ(metrics.status, 200u);
  const std::string& body = metrics.body;
  EXPECT_EQ(sample(body, "suanli_height"), status["height"].get<double>());
  EXPECT_EQ(sample(body, "suanli_blocks_applied_total"), status["height"].get<double>());
  EXPECT_EQ(sample(body, "suanli_txs_applied_total{result=\"ok\"}"),
            static_cast<double>(seen_txs.size()));
  EXPECT_EQ(sample(body, "suanli_raft_term"), status["term"].get<double>());
  EXPECT_GE(sample(body, "suanli_raft_commit_index"), status["applied_index"].get<double>());
  EXPECT_EQ(sample(body, "suanli_raft_role{role=\"" + status["role"].get<std::string>() + "\"}"),
            1);
  EXPECT_EQ(sample(body, "suanli_peers"), 2);
  EXPECT_EQ(sample(body, "suanli_peers_connected"), 1) << "one peer is dead";
  EXPECT_GE(sample(body, "suanli_signature_verifications_total"),
            static_cast<double>(seen_txs.size()));
  // Every committed block went through at least one synced Raft log write.
  const double syncs = sample(body, "suanli_raft_log_sync_duration_seconds_count");
  EXPECT_GE(syncs, status["height"].get<double>());
  EXPECT_EQ(sample(body, "suanli_raft_log_sync_duration_seconds_bucket{le=\"+Inf\"}"), syncs);
  EXPECT_GT(sample(body, "suanli_raft_log_sync_duration_seconds_sum"), 0);
  EXPECT_EQ(sample(body, "suanli_ws_subscriptions{topic=\"blocks\"}"), 1);
  EXPECT_EQ(sample(body, "suanli_ws_subscriptions{topic=\"txs\"}"), 1);
  EXPECT_EQ(sample(body, "suanli_ws_connections"), 1);
  EXPECT_GT(sample(body, "suanli_rpc_requests_total{method=\"tx_submit\"}"), 0);
  EXPECT_GT(sample(body, "suanli_rpc_request_duration_seconds_count{method=\"tx_submit\"}"), 0);
  auto health = rpc::testing::http_get(rpc_port(d, sub), "/healthz");
  EXPECT_EQ(health.status, 200u);
  json hj = json::parse(health.body, nullptr, false);
  EXPECT_EQ(hj["status"], "ok");
  EXPECT_GE(hj["height"].get<uint64_t>(), end);
}

}  // namespace
}  // namespace suanli::testing
