// Peer transport: real links on 127.0.0.1 (the wire without sockets is
// wire_test.cc).
#include "node/transport.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "node/frame.h"
#include "node/handshake.h"
#include "tests/node/peer_keys.h"

namespace suanli::node {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;
using testing::genesis_of;
using testing::key_of;
using Role = Handshake::Role;

// Polls `pred` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

// ---- Real links ----------------------------------------------------------

class Inbox {
 public:
  void push(const std::string& from, std::string payload) {
    std::lock_guard lock(mu_);
    frames_.emplace_back(from, std::move(payload));
  }
  std::vector<std::pair<std::string, std::string>> frames() const {
    std::lock_guard lock(mu_);
    return frames_;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return frames_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> frames_;
};

struct Node {
  std::string id;
  ledger::KeyPair key;
  std::string address;
  std::shared_ptr<Inbox> inbox = std::make_shared<Inbox>();
  std::unique_ptr<Transport> transport;

  PeerInfo info() const { return PeerInfo{id, key.pubkey, address}; }
  std::optional<PeerStatus> peer(const std::string& peer_id) const {
    for (auto& s : transport->status()) {
      if (s.node_id == peer_id) return s;
    }
    return std::nullopt;
  }
  bool connected_to(const std::string& peer_id) const {
    auto s = peer(peer_id);
    return s && s->connected;
  }
};

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runner_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    for (auto& n : nodes_) n->transport.reset();
    work_.reset();
    runner_.join();  // stop() must leave nothing pending
  }

  Node& add_node(const std::string& id, uint8_t key, Hash32 genesis = genesis_of(7),
                 uint16_t port = 0) {
    auto node = std::make_unique<Node>();
    node->id = id;
    node->key = key_of(key);
    start(*node, genesis, port);
    nodes_.push_back(std::move(node));
    return *nodes_.back();
  }
  void start(Node& node, Hash32 genesis, uint16_t port) {
    Transport::Options options{node.id, node.key, "127.0.0.1:" + std::to_string(port), genesis};
    auto inbox = node.inbox;
    node.transport = Transport::create(
        io_, options, [inbox](const std::string& from, std::string p) { inbox->push(from, p); });
    ASSERT_TRUE(node.transport->start());
    ASSERT_NE(node.transport->listen_port(), 0);
    node.address = "127.0.0.1:" + std::to_string(node.transport->listen_port());
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread runner_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(TransportTest, ThreeNodesExchangeFramesInOrder) {
  Node& a = add_node("a", 1);
  Node& b = add_node("b", 2);
  Node& c = add_node("c", 3);
  const std::vector<PeerInfo> all{a.info(), b.info(), c.info()};  // self is skipped
  for (Node* n : {&a, &b, &c}) n->transport->set_peers(all);
  ASSERT_TRUE(eventually([&] {
    return a.connected_to("b") && a.connected_to("c") && b.connected_to("a") &&
           b.connected_to("c") && c.connected_to("a") && c.connected_to("b");
  }));
  EXPECT_EQ(a.transport->status().size(), 2u);
  EXPECT_EQ(a.peer("b")->address, b.address);
  constexpr int kFrames = 200;
  for (int i = 0; i < kFrames; ++i) {
    for (Node* from : {&a, &b, &c}) {
      for (Node* to : {&a, &b, &c}) {
        if (from == to) continue;
        ASSERT_TRUE(from->transport->send(to->id, from->id + ">" + std::to_string(i)));
      }
    }
  }
  ASSERT_TRUE(eventually([&] {
    return a.inbox->size() == 2 * kFrames && b.inbox->size() == 2 * kFrames &&
           c.inbox->size() == 2 * kFrames;
  }));
  for (Node* n : {&a, &b, &c}) {
    std::map<std::string, int> next;
    for (auto& [from, payload] : n->inbox->frames()) {
      EXPECT_EQ(payload, from + ">" + std::to_string(next[from]++));
    }
    EXPECT_EQ(next.size(), 2u);
    for (auto& s : n->transport->status()) EXPECT_EQ(s.dropped_frames, 0u);
  }
}

TEST_F(TransportTest, UnknownKeyIsRefused) {
  Node& a = add_node("a", 1);
  Node& b = add_node("b", 2);
  PeerInfo impostor = a.info();
  impostor.pubkey = key_of(9).pubkey;  // b pins another key for "a"
  a.transport->set_peers({b.info()});
  b.transport->set_peers({impostor});
  std::this_thread::sleep_for(300ms);  // several dial attempts each way
  EXPECT_FALSE(a.connected_to("b"));
  EXPECT_FALSE(b.connected_to("a"));
  EXPECT_FALSE(a.transport->send("b", "x"));
  EXPECT_EQ(a.peer("b")->dropped_frames, 1u);
  EXPECT_EQ(b.inbox->size(), 0u);
  EXPECT_EQ(a.inbox->size(), 0u);
}

TEST_F(TransportTest, GenesisMismatchIsRefused) {
  Node& a = add_node("a", 1, genesis_of(7));
  Node& b = add_node("b", 2, genesis_of(8));
  a.transport->set_peers({b.info()});
  b.transport->set_peers({a.info()});
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(a.connected_to("b"));
  EXPECT_FALSE(b.connected_to("a"));
  EXPECT_FALSE(b.transport->send("a", "x"));
}

TEST_F(TransportTest, RestartedPeerIsReconnected) {
  Node& a = add_node("a", 1);
  Node& b = add_node("b", 2);
  a.transport->set_peers({b.info()});
  b.transport->set_peers({a.info()});
  ASSERT_TRUE(eventually([&] { return a.connected_to("b") && b.connected_to("a"); }));
  ASSERT_TRUE(a.transport->send("b", "before"));
  ASSERT_TRUE(eventually([&] { return b.inbox->size() == 1; }));

  const uint16_t port = b.transport->listen_port();
  b.transport.reset();  // b goes away
  ASSERT_TRUE(eventually([&] { return !a.connected_to("b"); }));
  EXPECT_FALSE(a.transport->send("b", "while down"));

  b.inbox = std::make_shared<Inbox>();
  start(b, genesis_of(7), port);  // same key, same address
  b.transport->set_peers({a.info()});
  ASSERT_TRUE(eventually([&] { return a.connected_to("b") && b.connected_to("a"); }));
  ASSERT_TRUE(a.transport->send("b", "after"));
  ASSERT_TRUE(b.transport->send("a", "back"));
  ASSERT_TRUE(eventually([&] { return b.inbox->size() == 1 && a.inbox->size() == 1; }));
  EXPECT_EQ(b.inbox->frames()[0].second, "after");
  EXPECT_EQ(a.inbox->frames()[0], std::make_pair(std::string("b"), std::string("back")));
}

TEST_F(TransportTest, SetPeersRemovalClosesLinks) {
  Node& a = add_node("a", 1);
  Node& b = add_node("b", 2);
  a.transport->set_peers({b.info()});
  b.transport->set_peers({a.info()});
  ASSERT_TRUE(eventually([&] { return a.connected_to("b") && b.connected_to("a"); }));
  a.transport->set_peers({});
  EXPECT_TRUE(a.transport->status().empty());
  EXPECT_FALSE(a.transport->send("b", "x"));
  // a closed both links; b's redials are refused because a no longer pins b.
  ASSERT_TRUE(eventually([&] { return !b.connected_to("a"); }));
  std::this_thread::sleep_for(150ms);
  EXPECT_FALSE(b.connected_to("a"));
  EXPECT_FALSE(b.transport->send("a", "x"));
  EXPECT_EQ(a.inbox->size(), 0u);
}

TEST_F(TransportTest, SendToUnknownUnreachableOrOversizeFails) {
  Node& a = add_node("a", 1);
  a.transport->set_peers({PeerInfo{"z", key_of(26).pubkey, "127.0.0.1:1"}});
  EXPECT_FALSE(a.transport->send("nobody", "x"));
  EXPECT_FALSE(a.transport->send("z", "x"));
  EXPECT_EQ(a.peer("z")->dropped_frames, 1u);
  EXPECT_FALSE(a.peer("z")->connected);

  Node& b = add_node("b", 2);
  a.transport->set_peers({b.info()});
  b.transport->set_peers({a.info()});
  ASSERT_TRUE(eventually([&] { return a.connected_to("b"); }));
  EXPECT_FALSE(a.transport->send("b", std::string(kFrameBytesMax + 1, 'x')));
  EXPECT_EQ(a.peer("b")->dropped_frames, 1u);
  EXPECT_TRUE(a.transport->send("b", std::string(kFrameBytesMax, 'y')));
  // A maximal frame is slow under sanitizers; the deadline only guards a hang.
  ASSERT_TRUE(eventually([&] { return b.inbox->size() == 1; }, 20s));
  EXPECT_EQ(b.inbox->frames()[0].second.size(), kFrameBytesMax);
}

// A hand-driven peer on its own io_context: it runs the handshake with the
// production Handshake class, then writes whatever bytes a test wants.
class RawPeer {
 public:
  RawPeer(const std::string& id, uint8_t key) : id_(id), key_(key_of(key)) {}
  PeerInfo info(const std::string& address) const { return PeerInfo{id_, key_.pubkey, address}; }

  bool dial(uint16_t port) {
    error_code ec;
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    return !ec && handshake(Role::kDialer);
  }
  uint16_t listen() {
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    return acceptor_.local_endpoint().port();
  }
  bool accept_and_handshake() {
    error_code result = asio::error::timed_out;
    acceptor_.async_accept(socket_, [&](const error_code& ec) { result = ec; });
    io_.restart();
    io_.run_for(3s);
    return !result && handshake(Role::kListener);
  }
  void send_raw(const std::string& bytes) {
    error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  std::string seal(std::string_view payload) {
    std::string out;
    sealer_->seal(payload, &out);
    return out;
  }
  // True when the transport closes the connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout) {
    char c;
    error_code ec = read_exact(&c, 1, timeout);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  error_code read_exact(void* data, size_t size, std::chrono::milliseconds timeout) {
    error_code result = asio::error::timed_out;
    bool done = false;
    asio::async_read(socket_, asio::buffer(data, size), [&](const error_code& ec, size_t) {
      result = ec;
      done = true;
    });
    io_.restart();
    io_.run_for(timeout);
    if (!done) {
      socket_.cancel();
      io_.restart();
      io_.run();
      return asio::error::timed_out;
    }
    return result;
  }
  bool handshake(Role role) {
    socket_.set_option(tcp::no_delay(true));
    Handshake hs(role, key_, id_, genesis_of(7));
    send_raw(hs.hello_record());
    std::array<uint8_t, kHelloHeaderBytes> header{};
    if (read_exact(header.data(), header.size(), 2s)) return false;
    auto len = hello_bytes(header.data());
    if (!len) return false;
    std::string hello(*len, '\0');
    if (read_exact(hello.data(), hello.size(), 2s)) return false;
    if (!hs.read_peer_hello(hello)) return false;
    const Sig64 sig = hs.signature();
    send_raw(std::string(reinterpret_cast<const char*>(sig.data()), sig.size()));
    Sig64 peer_sig{};
    if (read_exact(peer_sig.data(), peer_sig.size(), 2s)) return false;
    if (!hs.read_peer_signature(peer_sig)) return false;
    sealer_ = std::make_unique<FrameSealer>(hs.keys().tx);
    return true;
  }

  std::string id_;
  ledger::KeyPair key_;
  asio::io_context io_;
  tcp::socket socket_{io_};
  tcp::acceptor acceptor_{io_};
  std::unique_ptr<FrameSealer> sealer_;
};

TEST_F(TransportTest, UnknownKeyFailsTheHandshake) {
  Node& a = add_node("a", 1);
  RawPeer known("r", 5), stranger("s", 6), spoof("r", 6);
  a.transport->set_peers({known.info("127.0.0.1:1")});
  EXPECT_FALSE(stranger.dial(a.transport->listen_port()));
  EXPECT_FALSE(spoof.dial(a.transport->listen_port()));  // pinned id, other key
  EXPECT_TRUE(known.dial(a.transport->listen_port()));
}

TEST_F(TransportTest, TamperedFrameClosesTheLink) {
  Node& a = add_node("a", 1);
  RawPeer raw("r", 5);
  a.transport->set_peers({raw.info("127.0.0.1:1")});
  ASSERT_TRUE(raw.dial(a.transport->listen_port()));
  raw.send_raw(raw.seal("good"));
  ASSERT_TRUE(eventually([&] { return a.inbox->size() == 1; }));
  EXPECT_EQ(a.inbox->frames()[0], std::make_pair(std::string("r"), std::string("good")));
  std::string bad = raw.seal("evil");
  bad[kFrameHeaderBytes + 1] = static_cast<char>(bad[kFrameHeaderBytes + 1] ^ 0x04);
  raw.send_raw(bad + raw.seal("after"));
  EXPECT_TRUE(raw.closed_within(2s));
  EXPECT_EQ(a.inbox->size(), 1u);
}

TEST_F(TransportTest, OversizeFrameClosesTheLink) {
  Node& a = add_node("a", 1);
  RawPeer raw("r", 5);
  a.transport->set_peers({raw.info("127.0.0.1:1")});
  ASSERT_TRUE(raw.dial(a.transport->listen_port()));
  std::string header;
  put_u32_be(header, static_cast<uint32_t>(kFrameCiphertextBytesMax + 1));
  raw.send_raw(header);
  EXPECT_TRUE(raw.closed_within(2s));
  EXPECT_EQ(a.inbox->size(), 0u);
}

TEST_F(TransportTest, SendQueueIsBounded) {
  Node& a = add_node("a", 1);
  RawPeer sink("r", 5);  // completes the handshake, then never reads
  const uint16_t port = sink.listen();
  a.transport->set_peers({sink.info("127.0.0.1:" + std::to_string(port))});
  ASSERT_TRUE(sink.accept_and_handshake());
  ASSERT_TRUE(eventually([&] { return a.connected_to("r"); }));
  const std::string payload(1 << 20, 'q');
  constexpr size_t kAttemptsMax = 2 * kPeerSendQueueBytesMax / (1 << 20);
  size_t accepted = 0;
  while (accepted < kAttemptsMax && a.transport->send("r", payload)) ++accepted;
  EXPECT_LT(accepted, kAttemptsMax);
  EXPECT_GE(accepted, kPeerSendQueueBytesMax / (1 << 20) - 1);
  auto s = a.peer("r");
  EXPECT_EQ(s->dropped_frames, 1u);
  EXPECT_LE(s->queued_bytes, kPeerSendQueueBytesMax);
  EXPECT_GT(s->queued_bytes, 0u);
}

TEST(TransportStopTest, StopLetsTheIoContextFinish) {
  asio::io_context io;
  auto make = [&](const char* id, uint8_t key) {
    Transport::Options o{id, key_of(key), "127.0.0.1:0", genesis_of(7)};
    auto t = Transport::create(io, o, [](const std::string&, std::string) {});
    EXPECT_TRUE(t->start());
    return t;
  };
  auto a = make("a", 1);
  auto b = make("b", 2);
  auto addr = [](const Transport& t) { return "127.0.0.1:" + std::to_string(t.listen_port()); };
  a->set_peers({PeerInfo{"b", key_of(2).pubkey, addr(*b)},
                PeerInfo{"z", key_of(26).pubkey, "127.0.0.1:1"}});  // z keeps redialling
  b->set_peers({PeerInfo{"a", key_of(1).pubkey, addr(*a)}});
  auto done = std::async(std::launch::async, [&] { io.run(); });
  ASSERT_TRUE(eventually([&] { return a->status()[0].connected; }));
  a->stop();
  b->stop();
  EXPECT_EQ(done.wait_for(2s), std::future_status::ready);
  if (done.wait_for(0s) != std::future_status::ready) io.stop();
}

}  // namespace
}  // namespace suanli::node
