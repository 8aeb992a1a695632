// Multi-process tests of issue 4: peers that must not get in. A node whose key
// is not in the membership, and a peer that sends garbage or oversized
// frames, change nothing and do not stop the cluster from serving.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/process_util.h"

namespace suanli::testing {
namespace {

std::string read_log(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t term_of(ProcessDevnet& d, int node) {
  auto r = d.call(node, "node_status", nlohmann::json::object());
  return r && r->contains("result") ? (*r)["result"]["term"].get<uint64_t>() : 0;
}

// Sends `bytes` to 127.0.0.1:port and reports whether the peer closed the
// connection within `timeout_ms` (reading whatever it sent first).
bool peer_closes(uint16_t port, const std::string& bytes, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return false;
  }
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool closed = false;
  char buf[4096];
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    closed = n <= 0;
  }
  ::close(fd);
  return closed;
}

TEST(HostilePeerTest, NodeWithAnUnknownKeyGetsNoDataAndDisturbsNothing) {
  ProcessDevnet d(3, temp_dir("outsider"));
  ASSERT_TRUE(d.start_all());
  int leader = d.leader(5000);
  ASSERT_GE(leader, 0);
  const uint64_t term = term_of(d, leader);
  PubKey prov = d.key("gz-supercomputing").pubkey;
  ASSERT_TRUE(submit_committed(
      d, leader, d.make("bj-ai", ledger::TxType::kTransfer, ledger::Transfer{prov, 1, ""})));

  int outsider = d.add_outsider("intruder");
  d.start(outsider);
  ASSERT_TRUE(d.wait_ready(outsider, 10000)) << d.log_path(outsider);
  // The cluster keeps committing while the outsider dials every member.
  for (int k = 0; k < 20; ++k) {
    ASSERT_TRUE(submit_committed(d, k % 3, d.make("bj-ai", ledger::TxType::kTransfer,
                                                  ledger::Transfer{prov, 1, ""})))
        << k;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(height_of(d, outsider), 0u) << "the outsider got blocks";
  auto st = d.call(outsider, "node_status", nlohmann::json::object());
  ASSERT_TRUE(st && st->contains("result"));
  for (const auto& p : (*st)["result"]["peers"]) {
    EXPECT_FALSE(p.value("connected", false)) << p.dump();
  }
  // No member took it for a peer, and no election was disturbed.
  EXPECT_EQ(term_of(d, leader), term);
  EXPECT_EQ(d.leader(2000), leader);
  bool refused = false;
  for (int i = 0; i < 3; ++i) {
    refused = refused || read_log(d.log_path(i)).find("unknown_key") != std::string::npos;
  }
  EXPECT_TRUE(refused) << "no member logged the refusal";
  d.kill9(outsider);
}

TEST(HostilePeerTest, GarbageAndOversizedFramesAreDisconnectedAndTheNodeServesOn) {
  ProcessDevnet d(3, temp_dir("garbage"));
  ASSERT_TRUE(d.start_all());
  int leader = d.leader(5000);
  ASSERT_GE(leader, 0);
  const int victim = (leader + 1) % 3;
  const uint16_t port = d.peer_port(victim);
  const std::string noise = [] {
    std::mt19937 rng(7);
    std::string s(64 << 10, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  }();
  const std::string oversized = std::string("\xff\xff\xff\xff", 4) + std::string(1024, 'A');
  const std::string zero_length = std::string(4, '\0');
  const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const std::string* bytes : {&noise, &oversized, &zero_length, &http}) {
    EXPECT_TRUE(peer_closes(port, *bytes, 8000)) << "a peer sending " << bytes->size()
                                                 << " bad bytes was not disconnected";
  }
  // Every node still serves and the cluster commits through the victim.
  PubKey prov = d.key("gz-supercomputing").pubkey;
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(submit_committed(d, victim, d.make("gd-robotics", ledger::TxType::kTransfer,
                                                   ledger::Transfer{prov, 2, ""})))
        << k;
  }
  std::string hash;
  EXPECT_TRUE(converge(d, 10000, &hash));
}

}  // namespace
}  // namespace suanli::testing
