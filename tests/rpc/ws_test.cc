// WebSocket /ws: subscribe / unsubscribe, notifications for every block once
// and in order, a slow subscriber dropped, limits and hostile input.
#include <cstdint>
#include <set>
#include <thread>

#include "ledger/codec.h"
#include "ledger/ledger.h"
#include "rpc/http_handler.h"
#include "tests/rpc/rpc_test_util.h"
#include "tests/rpc/ws_client.h"

namespace suanli::rpc::testing {
namespace {

using ledger::TxType;

class RpcWsTest : public RpcFixture {
 protected:
  Options options() override {
    Options o = RpcFixture::options();
    o.limits.ws_connections_max = 4;
    o.limits.ws_subscriptions_max = 3;
    o.limits.body_bytes_max = 64 * 1024;
    o.limits.ws_queue_bytes_max = 128 * 1024;
    o.limits.ws_send_buffer_bytes = 4096;
    return o;
  }

  // `blocks` blocks of `per_block` deposits to gd-buyer.
  std::vector<std::vector<std::string>> deposit_blocks(int blocks, int per_block) {
    auto& h = service_->harness();
    std::vector<std::vector<std::string>> hashes;
    for (int b = 0; b < blocks; ++b) {
      std::vector<ledger::Tx> txs;
      hashes.emplace_back();
      for (int i = 0; i < per_block; ++i) {
        txs.push_back(h.make("gz-reg", TxType::kDeposit,
                             ledger::Deposit{h.actor("gd-buyer").key.pubkey, 10,
                                             "ws-" + std::to_string(next_ref_++)}));
        hashes.back().push_back(to_hex(txs.back().hash));
      }
      service_->apply(txs);
      h.advance(1000);
    }
    return hashes;
  }

  // The value of a metric sample line ("name{labels}") in /metrics, or -1.
  long long metric(const std::string& sample) {
    HttpResult r = client_->request("GET", "/metrics", "");
    auto pos = r.body.find("\n" + sample + " ");
    if (pos == std::string::npos) return -1;
    return std::stoll(r.body.substr(pos + sample.size() + 2));
  }

  std::string subscribe(WsClient& ws, const std::string& topic) {
    json r = ws.call("subscribe", {{"topic", topic}});
    EXPECT_TRUE(r.contains("result") && r["result"].is_string()) << r.dump();
    return r.contains("result") && r["result"].is_string() ? r["result"].get<std::string>() : "";
  }

  // The HTTP status a WebSocket upgrade request to `path` gets.
  unsigned upgrade_status(const std::string& path) {
    HttpClient c(server_->port());
    return c
        .raw("GET " + path +
             " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n")
        .status;
  }

  int next_ref_ = 0;
};

TEST_F(RpcWsTest, BlocksAndTxsOnceAndInOrder) {
  deposit_blocks(2, 1);  // before the subscription: not delivered
  WsClient ws(server_->port());
  ASSERT_TRUE(ws.connected());
  std::string blocks_id = subscribe(ws, "blocks");
  std::string txs_id = subscribe(ws, "txs");
  ASSERT_NE(blocks_id, txs_id);
  uint64_t start = service_->applied_height();
  auto hashes = deposit_blocks(5, 3);

  uint64_t next_height = start + 1;
  size_t block_index = 0, tx_index = 0;
  while (next_height <= start + 5 || block_index < 5) {
    auto n = ws.next_notification(5000);
    ASSERT_TRUE(n.has_value()) << "missing notifications after height " << next_height - 1;
    ASSERT_EQ((*n)["jsonrpc"], "2.0");
    ASSERT_EQ((*n)["method"], "subscription");
    const json& p = (*n)["params"];
    if (p["topic"] == "blocks") {
      EXPECT_EQ(p["subscription"], blocks_id);
      EXPECT_EQ(p["result"]["height"], next_height);
      // The same view block_get answers.
      EXPECT_EQ(p["result"], result("block_get", {{"height", next_height}}));
      ++next_height;
      continue;
    }
    ASSERT_EQ(p["topic"], "txs");
    EXPECT_EQ(p["subscription"], txs_id);
    const json& tx = p["result"];
    EXPECT_EQ(tx["tx_hash"], hashes.at(block_index).at(tx_index));
    EXPECT_EQ(tx["height"], start + 1 + block_index);
    EXPECT_EQ(tx["index"], tx_index);
    EXPECT_EQ(tx["result"], json({{"ok", true}}));
    EXPECT_EQ(tx["tx"]["type"], "deposit");
    if (++tx_index == 3) {
      tx_index = 0;
      ++block_index;
    }
  }
  EXPECT_FALSE(ws.next_notification(200).has_value()) << "a block delivered twice";
  EXPECT_EQ(metric("suanli_ws_subscriptions{topic=\"blocks\"}"), 1);
  EXPECT_EQ(metric("suanli_ws_subscriptions{topic=\"txs\"}"), 1);

  // After unsubscribe, nothing more for that subscription.
  json r = ws.call("unsubscribe", {{"subscription", txs_id}});
  EXPECT_EQ(r["result"], true) << r.dump();
  EXPECT_EQ(ws.call("unsubscribe", {{"subscription", txs_id}})["error"]["code"], errc::kNotFound);
  deposit_blocks(1, 2);
  auto n = ws.next_notification(5000);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ((*n)["params"]["topic"], "blocks");
  EXPECT_EQ((*n)["params"]["result"]["height"], start + 6);
  EXPECT_FALSE(ws.next_notification(200).has_value());
}

TEST_F(RpcWsTest, OtherMethodsOverTheSocket) {
  deposit_blocks(1, 1);
  WsClient ws(server_->port());
  json r = ws.call("block_latest", json::object());
  EXPECT_EQ(r["result"]["height"], service_->applied_height()) << r.dump();
  // A batch with a subscribe and a read: both answered, in one array.
  ws.send_text(R"([{"jsonrpc":"2.0","id":"a","method":"subscribe","params":{"topic":"blocks"}},)"
               R"({"jsonrpc":"2.0","id":"b","method":"node_status"}])");
  auto text = ws.read(5000);
  ASSERT_TRUE(text.has_value());
  json batch = json::parse(*text);
  ASSERT_TRUE(batch.is_array() && batch.size() == 2) << *text;
  EXPECT_TRUE(batch[0]["result"].is_string());
  EXPECT_EQ(batch[1]["result"]["node_id"], "gz-1");
  // Operator methods need the token given at the upgrade.
  EXPECT_EQ(ws.call("admin_snapshot", json::object())["error"]["code"], errc::kUnauthorized);
  WsClient op(server_->port(), {"/ws", {{"Authorization", "Bearer s3cret-token"}}, 0});
  EXPECT_EQ(op.call("admin_snapshot", json::object())["result"]["ok"], true);
  // Over HTTP POST, subscribe is not served.
  EXPECT_EQ(error_code("subscribe", {{"topic", "blocks"}}), errc::kMethodNotFound);
}

TEST_F(RpcWsTest, SlowSubscriberIsDropped) {
  // A subscriber that never reads, with small socket buffers on both ends.
  WsClient slow(server_->port(), {"/ws", {}, 4096});
  ASSERT_TRUE(slow.connected());
  subscribe(slow, "txs");
  subscribe(slow, "blocks");
  WsClient fast(server_->port());
  subscribe(fast, "blocks");
  uint64_t start = service_->applied_height();
  // 40 blocks of 20 deposits: ~0.5 MB of tx notifications, over the 128 KiB queue.
  deposit_blocks(40, 20);
  for (int i = 0; i < 100 && metric("suanli_ws_dropped_slow_total") < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(metric("suanli_ws_dropped_slow_total"), 1);
  // The fast one got every block, in order, meanwhile.
  for (uint64_t h = start + 1; h <= start + 40; ++h) {
    auto n = fast.next_notification(5000);
    ASSERT_TRUE(n.has_value()) << "block " << h;
    EXPECT_EQ((*n)["params"]["result"]["height"], h);
  }
  // The slow one's connection ends (what it had received, then the end).
  size_t received = 0;
  while (slow.read(3000)) ++received;
  EXPECT_TRUE(slow.closed());
  EXPECT_LT(received, 40u * 21u);
  for (int i = 0; i < 100 && metric("suanli_ws_connections") != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(metric("suanli_ws_connections"), 1);
  EXPECT_EQ(metric("suanli_ws_subscriptions{topic=\"txs\"}"), 0);
}

TEST_F(RpcWsTest, OnlyTheNodesOwnPagesAmongBrowserPagesMayConnect) {
  // Browsers send Origin: a page of another site cannot open the socket.
  const std::string self = "127.0.0.1:" + std::to_string(server_->port());
  WsClient foreign(server_->port(), {"/ws", {{"Origin", "http://evil.example"}}, 0});
  EXPECT_FALSE(foreign.connected());
  WsClient other_port(server_->port(), {"/ws", {{"Origin", "http://127.0.0.1:1"}}, 0});
  EXPECT_FALSE(other_port.connected());
  WsClient own(server_->port(), {"/ws", {{"Origin", "http://" + self}}, 0});
  EXPECT_TRUE(own.connected());
  EXPECT_TRUE(same_origin("https://LocalHost:8645", "localhost:8645"));
  EXPECT_FALSE(same_origin("ftp://127.0.0.1:8645", "127.0.0.1:8645"));
  EXPECT_FALSE(same_origin("http://", ""));
  EXPECT_FALSE(same_origin("null", "127.0.0.1:8645"));
}

TEST_F(RpcWsTest, LimitsAndHostileInput) {
  static constexpr char kNul[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sub\0scribe\"}";
  auto before = service_->snapshot();
  WsClient ws(server_->port());
  ASSERT_TRUE(ws.connected());
  struct Case {
    std::string send;
    int code;
  };
  std::vector<Case> cases = {
      {"not json", errc::kParseError},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\"", errc::kParseError},
      {"[]", errc::kInvalidRequest},
      {R"({"jsonrpc":"1.0","id":1,"method":"subscribe","params":{"topic":"blocks"}})",
       errc::kInvalidRequest},
      {R"({"jsonrpc":"2.0","id":1,"method":"subscribe"})", errc::kInvalidParams},
      {R"({"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topic":"mempool"}})",
       errc::kInvalidParams},
      {R"({"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topic":7}})",
       errc::kInvalidParams},
      {R"({"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topic":"blocks","x":1}})",
       errc::kInvalidParams},
      {R"({"jsonrpc":"2.0","id":1,"method":"subscribe","params":["blocks"]})",
       errc::kInvalidParams},
      {R"({"jsonrpc":"2.0","id":1,"method":"unsubscribe","params":{"subscription":""}})",
       errc::kInvalidParams},
      {R"({"jsonrpc":"2.0","id":1,"method":"unsubscribe","params":{"subscription":"nope"}})",
       errc::kNotFound},
      {R"({"jsonrpc":"2.0","id":1,"method":"subscription","params":{}})", errc::kMethodNotFound},
      {std::string(kNul, sizeof(kNul) - 1), errc::kParseError},
      {R"({"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topic":)" +
           std::string(5000, '[') + std::string(5000, ']') + "}}",
       errc::kInvalidParams},
  };
  for (const Case& c : cases) {
    ws.send_text(c.send);
    auto text = ws.read(5000);
    ASSERT_TRUE(text.has_value()) << c.send;
    json r = json::parse(*text, nullptr, false);
    ASSERT_TRUE(r.is_object()) << c.send.substr(0, 100) << " -> " << *text;
    EXPECT_EQ(r["error"]["code"], c.code) << c.send.substr(0, 100) << " -> " << *text;
  }
  // A binary frame is refused with an answer, not a crash.
  ws.send_binary("\x01\x02");
  EXPECT_EQ(json::parse(*ws.read(5000))["error"]["code"], errc::kInvalidRequest);
  // Subscriptions per connection are bounded.
  for (int i = 0; i < 3; ++i) subscribe(ws, "blocks");
  EXPECT_EQ(ws.call("subscribe", {{"topic", "txs"}})["error"]["code"], errc::kBusy);

  // A message over the size limit closes that connection (1009). The frame
  // header alone declares the size, so no bulk data is left unread at the
  // server when it closes (unread data would make its kernel reset the
  // connection, and the reset can discard the close frame before the client
  // reads it).
  WsClient big(server_->port());
  std::string header("\x81\xff", 2);  // final text frame, masked, 64-bit length
  const uint64_t declared = 100 * 1024;
  for (int i = 7; i >= 0; --i) header.push_back(static_cast<char>((declared >> (8 * i)) & 0xff));
  header += std::string("\x01\x02\x03\x04", 4);  // masking key
  big.send_raw(header + "{\"jsonrpc\"");
  EXPECT_FALSE(big.read(5000).has_value());
  EXPECT_TRUE(big.closed());
  EXPECT_EQ(big.close_code(), 1009);
  // A whole oversized message sent at once: the connection ends too.
  WsClient bulk(server_->port());
  bulk.send_text(std::string(100 * 1024, ' '));
  EXPECT_FALSE(bulk.read(5000).has_value());
  EXPECT_TRUE(bulk.closed());
  // Invalid UTF-8 in a text frame, and garbage that is not a frame: closed.
  WsClient utf(server_->port());
  utf.send_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}");
  EXPECT_FALSE(utf.read(5000).has_value());
  EXPECT_TRUE(utf.closed());
  WsClient garbage(server_->port());
  garbage.send_raw(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff garbage", 18));
  EXPECT_FALSE(garbage.read(5000).has_value());
  EXPECT_TRUE(garbage.closed());

  // An upgrade anywhere but /ws is refused, and so is one over the limit.
  WsClient wrong(server_->port(), {"/socket", {}, 0});
  EXPECT_FALSE(wrong.connected());
  EXPECT_EQ(upgrade_status("/socket"), 404u);
  for (int i = 0; i < 100 && metric("suanli_ws_connections") != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(metric("suanli_ws_connections"), 1);
  std::vector<std::unique_ptr<WsClient>> more;
  for (int i = 0; i < 4; ++i) more.push_back(std::make_unique<WsClient>(server_->port()));
  size_t accepted = 0;
  for (const auto& c : more) accepted += c->connected() ? 1 : 0;
  EXPECT_EQ(accepted, 3u);  // 4 allowed, `ws` holds one
  EXPECT_FALSE(more.back()->connected());
  EXPECT_EQ(upgrade_status("/ws"), 503u);
  more.clear();

  // The node still serves, over both transports, and no state changed.
  EXPECT_EQ(ws.call("node_status", json::object())["result"]["height"], service_->applied_height());
  EXPECT_EQ(result("node_status")["node_id"], "gz-1");
  EXPECT_EQ(service_->snapshot(), before);
}

}  // namespace
}  // namespace suanli::rpc::testing
