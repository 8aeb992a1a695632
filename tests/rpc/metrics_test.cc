// GET /metrics (Prometheus text format) and GET /healthz against the live
// values of the service behind the server.
#include <regex>
#include <set>
#include <sstream>

#include "ledger/codec.h"
#include "ledger/ledger.h"
#include "tests/rpc/rpc_test_util.h"

namespace suanli::rpc::testing {
namespace {

using ledger::TxType;

class RpcMetricsTest : public RpcFixture {
 protected:
  // Every sample of the exposition, by "name{labels}".
  std::map<std::string, double> scrape() {
    HttpResult r = client_->request("GET", "/metrics", "");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
    std::map<std::string, double> out;
    std::set<std::string> typed;
    static const std::regex kSample(R"(^(suanli_[a-z_]+)(\{[^}]*\})? (-?[0-9.e+]+)$)");
    static const std::regex kType(R"(^# TYPE (suanli_[a-z_]+) (counter|gauge|histogram)$)");
    std::istringstream in(r.body);
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (std::regex_match(line, m, kType)) {
        typed.insert(m[1]);
        continue;
      }
      if (line.rfind("# HELP suanli_", 0) == 0) continue;
      EXPECT_TRUE(std::regex_match(line, m, kSample)) << "not a sample: " << line;
      if (m.empty()) continue;
      std::string family = m[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        std::string sfx(suffix);
        if (!typed.count(family) && family.size() > sfx.size() &&
            family.compare(family.size() - sfx.size(), sfx.size(), sfx) == 0) {
          family = family.substr(0, family.size() - sfx.size());
        }
      }
      EXPECT_TRUE(typed.count(family)) << "sample before its # TYPE: " << line;
      out[std::string(m[1]) + std::string(m[2])] = std::stod(m[3]);
    }
    return out;
  }
};

TEST_F(RpcMetricsTest, MetricsFollowTheNode) {
  auto& h = service_->harness();
  PubKey gd = h.actor("gd-buyer").key.pubkey;
  // Block 1: two ok deposits; block 2: one ok, one duplicate_reference.
  service_->apply({h.make("gz-reg", TxType::kDeposit, ledger::Deposit{gd, 5, "m-1"}),
                   h.make("gz-reg", TxType::kDeposit, ledger::Deposit{gd, 5, "m-2"})});
  h.advance(1000);
  service_->apply({h.make("gz-reg", TxType::kDeposit, ledger::Deposit{gd, 5, "m-3"}),
                   h.make("gz-reg", TxType::kDeposit, ledger::Deposit{gd, 5, "m-1"})});
  service_->set_peers(json::array(
      {{{"node_id", "gz-2"}, {"connected", true}}, {{"node_id", "gz-3"}, {"connected", false}}}));
  service_->add_verifications(7);
  SyncDurations syncs;
  syncs.buckets[0] = 5;  // <= 1 ms
  syncs.buckets[4] = 2;  // (8, 16] ms
  syncs.count = 8;       // and one over the last bound
  syncs.sum_s = 3.5;
  service_->set_syncs(syncs);
  for (int i = 0; i < 3; ++i) result("node_status");
  EXPECT_EQ(error_code("no_such_method"), errc::kMethodNotFound);

  auto m = scrape();
  EXPECT_EQ(m["suanli_blocks_applied_total"], 2);
  EXPECT_EQ(m["suanli_txs_applied_total{result=\"ok\"}"], 3);
  EXPECT_EQ(m["suanli_txs_applied_total{result=\"duplicate_reference\"}"], 1);
  EXPECT_EQ(m["suanli_height"], service_->applied_height());
  json status = result("node_status");
  EXPECT_EQ(m["suanli_raft_term"], status["term"].get<double>());
  EXPECT_EQ(m["suanli_raft_commit_index"], status["commit_index"].get<double>());
  EXPECT_EQ(m["suanli_raft_applied_index"], status["applied_index"].get<double>());
  EXPECT_EQ(m["suanli_raft_role{role=\"leader\"}"], 1);
  EXPECT_EQ(m["suanli_raft_role{role=\"follower\"}"], 0);
  EXPECT_EQ(m["suanli_mempool_size"], status["mempool"].get<double>());
  EXPECT_EQ(m["suanli_raft_log_bytes"], 123456);
  EXPECT_EQ(m["suanli_raft_log_segments"], 2);
  EXPECT_EQ(m["suanli_peers"], 2);
  EXPECT_EQ(m["suanli_peers_connected"], 1);
  EXPECT_EQ(m["suanli_peer_connected{peer=\"gz-2\"}"], 1);
  EXPECT_EQ(m["suanli_peer_connected{peer=\"gz-3\"}"], 0);
  EXPECT_EQ(m["suanli_signature_verifications_total"], 7);
  // Raft log syncs: cumulative buckets, +Inf is the count.
  EXPECT_EQ(m["suanli_raft_log_sync_duration_seconds_bucket{le=\"0.001\"}"], 5);
  EXPECT_EQ(m["suanli_raft_log_sync_duration_seconds_bucket{le=\"0.008\"}"], 5);
  EXPECT_EQ(m["suanli_raft_log_sync_duration_seconds_bucket{le=\"0.016\"}"], 7);
  EXPECT_EQ(m["suanli_raft_log_sync_duration_seconds_bucket{le=\"2.048\"}"], 7);
  EXPECT_EQ(m["suanli_raft_log_sync_duration_seconds_bucket{le=\"+Inf\"}"], 8);
  EXPECT_EQ(m["suanli_raft_log_sync_duration_seconds_count"], 8);
  EXPECT_EQ(m["suanli_raft_log_sync_duration_seconds_sum"], 3.5);
  EXPECT_EQ(m["suanli_diverged"], 0);
  // Requests and latency by method: the 3 node_status calls (the 4th came after).
  EXPECT_EQ(m["suanli_rpc_requests_total{method=\"node_status\"}"], 3);
  EXPECT_EQ(m["suanli_rpc_requests_total{method=\"unknown\"}"], 1);
  EXPECT_EQ(m["suanli_rpc_errors_total{code=\"-32601\"}"], 1);
  const std::string count = "suanli_rpc_request_duration_seconds_count{method=\"node_status\"}";
  EXPECT_EQ(m[count], 3);
  EXPECT_EQ(m["suanli_rpc_request_duration_seconds_bucket{method=\"node_status\",le=\"+Inf\"}"], 3);
  double previous = 0;
  for (const char* le : {"0.0005", "0.001", "0.01", "0.1", "1", "10"}) {
    std::string key = std::string(
                          "suanli_rpc_request_duration_seconds_bucket{method=\"node_status\""
                          ",le=\"") +
                      le + "\"}";
    ASSERT_TRUE(m.count(key)) << key;
    EXPECT_GE(m[key], previous) << "buckets are cumulative";
    previous = m[key];
  }
  EXPECT_EQ(previous, 3) << "every node_status call under 10 s";
  EXPECT_GT(m["suanli_rpc_request_duration_seconds_sum{method=\"node_status\"}"], 0);
  EXPECT_EQ(m["suanli_ws_connections"], 0);
  // Labels stay bounded: a made-up method name counts as "unknown".
  EXPECT_FALSE(m.count("suanli_rpc_requests_total{method=\"no_such_method\"}"));
}

TEST_F(RpcMetricsTest, HealthzIs503WhenDiverged) {
  service_->ok("gz-reg", TxType::kDeposit,
               ledger::Deposit{service_->harness().actor("gd-buyer").key.pubkey, 5, "h-1"});
  HttpResult ok = client_->request("GET", "/healthz", "");
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.json_body()["status"], "ok");
  EXPECT_EQ(ok.json_body()["height"], service_->applied_height());
  EXPECT_EQ(ok.json_body()["role"], "leader");
  service_->set_diverged(true);
  HttpResult bad = client_->request("GET", "/healthz", "");
  EXPECT_EQ(bad.status, 503u);
  EXPECT_EQ(bad.json_body()["status"], "diverged");
  EXPECT_EQ(scrape()["suanli_diverged"], 1);
}

TEST_F(RpcMetricsTest, HealthzIs503WhileTheDiskRefusesWrites) {
  EXPECT_EQ(scrape()["suanli_storage_write_failing"], 0);
  service_->set_storage_error("no_space: save raft log: No space left on device");
  HttpResult bad = client_->request("GET", "/healthz", "");
  EXPECT_EQ(bad.status, 503u);
  EXPECT_EQ(bad.json_body()["status"], "storage_error");
  EXPECT_EQ(bad.json_body()["storage_error"], "no_space: save raft log: No space left on device");
  EXPECT_EQ(scrape()["suanli_storage_write_failing"], 1);
  service_->set_storage_error("");
  EXPECT_EQ(client_->request("GET", "/healthz", "").status, 200u);
}

}  // namespace
}  // namespace suanli::rpc::testing
