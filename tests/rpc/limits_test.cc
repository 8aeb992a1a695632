// The server's limits: list pages and waits bounded, operator methods without a
// configured token, request rate per connection, connection count and idle timeout.
#include <algorithm>
#include <future>
#include <set>

#include "ledger/codec.h"
#include "ledger/ledger.h"
#include "tests/rpc/rpc_test_util.h"

namespace suanli::rpc::testing {
namespace {

using ledger::TxType;

class RpcSmallLimitsTest : public RpcFixture {
 protected:
  Options options() override {
    Options o = RpcFixture::options();
    o.limits.scan_max = 3;
    o.limits.waits_max = 1;
    return o;
  }
};

TEST_F(RpcSmallLimitsTest, ListsStayBoundedAndComplete) {
  auto& h = service_->harness();
  // Eleven deposits to gd-buyer, a few per block.
  std::vector<std::string> hashes;
  for (int b = 0; b < 4; ++b) {
    std::vector<ledger::Tx> txs;
    for (int i = 0; i < (b == 0 ? 5 : 2); ++i) {
      txs.push_back(h.make("gz-reg", TxType::kDeposit,
                           ledger::Deposit{h.actor("gd-buyer").key.pubkey, 10,
                                           "r" + std::to_string(b) + "-" + std::to_string(i)}));
      hashes.push_back(to_hex(txs.back().hash));
    }
    service_->apply(txs);
    h.advance(1000);
  }
  std::reverse(hashes.begin(), hashes.end());
  std::vector<std::string> seen;
  json cursor = nullptr;
  int pages = 0;
  do {
    json params{{"participant", to_hex(h.actor("gd-buyer").key.pubkey)}, {"limit", 4}};
    if (!cursor.is_null()) params["cursor"] = cursor;
    json page = result("tx_list", params);
    for (const auto& item : page["items"]) seen.push_back(item["tx_hash"]);
    cursor = page["next_cursor"];
    ASSERT_LT(++pages, 20);
  } while (!cursor.is_null());
  EXPECT_EQ(seen, hashes);

  // participant_list visits at most 3 entries per call but gets there.
  size_t total = 0;
  cursor = nullptr;
  pages = 0;
  do {
    json params{{"limit", 100}};
    if (!cursor.is_null()) params["cursor"] = cursor;
    json page = result("participant_list", params);
    EXPECT_LE(page["items"].size(), 3u);
    total += page["items"].size();
    cursor = page["next_cursor"];
    ASSERT_LT(++pages, 20);
  } while (!cursor.is_null());
  EXPECT_EQ(total, 9u);
}

TEST_F(RpcSmallLimitsTest, WaitsAreBounded) {
  auto waiter = std::async(std::launch::async, [port = server_->port()] {
    HttpClient c(port);
    return c.request(
        "POST", "/",
        R"({"jsonrpc":"2.0","id":1,"method":"block_latest","params":{"min_height":9,"timeout_ms":1500}})");
  });
  for (int i = 0; i < 1000 && service_->waiting() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(service_->waiting(), 1u);
  json r = call("block_latest", {{"min_height", 9}, {"timeout_ms", 400}});
  EXPECT_EQ(r["error"]["code"], errc::kBusy);
  EXPECT_EQ(waiter.get().json_body()["error"]["code"], errc::kTimeout);
  // The slot is given back.
  r = call("block_latest", {{"min_height", 9}, {"timeout_ms", 50}});
  EXPECT_EQ(r["error"]["code"], errc::kTimeout);
}

class RpcNoTokenTest : public RpcFixture {
 protected:
  Options options() override {
    Options o = RpcFixture::options();
    o.token.clear();
    return o;
  }
};

TEST_F(RpcNoTokenTest, OperatorMethodsAreRefused) {
  json r = call("admin_snapshot", json::object(), {{"Authorization", "Bearer "}});
  EXPECT_EQ(r["error"]["code"], errc::kUnauthorized);
  EXPECT_TRUE(service_->operator_calls().empty());
}

class RpcLimitsTest : public RpcFixture {
 protected:
  Options options() override {
    Options o = RpcFixture::options();
    o.limits.connections_max = 2;
    o.limits.requests_per_second = 1;
    o.limits.requests_burst = 3;
    o.limits.idle_timeout_ms = 300;
    return o;
  }
};

TEST_F(RpcLimitsTest, RequestRateIsBoundedPerConnection) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(result("node_status")["node_id"], "gz-1");
  HttpResult r = post(R"({"jsonrpc":"2.0","id":1,"method":"node_status"})");
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(r.json_body()["error"]["code"], errc::kBusy);
  EXPECT_TRUE(r.json_body()["error"]["data"]["retry_after_ms"].is_number());
  // Another connection has its own bucket.
  HttpClient other(server_->port());
  EXPECT_EQ(other.request("GET", "/healthz", "", {}, "").status, 200u);
}

TEST_F(RpcLimitsTest, ConnectionsAreBoundedAndIdleOnesClosed) {
  HttpClient a(server_->port()), b(server_->port()), c(server_->port());
  EXPECT_EQ(a.request("GET", "/healthz", "", {}, "").status, 200u);
  EXPECT_EQ(b.request("GET", "/healthz", "", {}, "").status, 200u);
  client_.reset();
  EXPECT_EQ(c.request("GET", "/healthz", "", {}, "").status, 0u);  // over the limit: closed
  // Idle connections are closed after the idle timeout; a new one is served.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(a.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").status, 0u);
  HttpClient d(server_->port());
  EXPECT_EQ(d.request("GET", "/healthz", "", {}, "").status, 200u);
}

}  // namespace
}  // namespace suanli::rpc::testing
