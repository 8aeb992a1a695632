// One node behind the JSON-RPC server with a full disk: tx_submit is refused
// with a clear error, /healthz and /metrics say so, reads still answer, and
// everything goes on once space returns.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc/server.h"
#include "tests/node/cluster_util.h"
#include "tests/node/fault_fs.h"

namespace suanli::node::testing {
namespace {

struct Reply {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 request on its own connection (Connection: close).
Reply http(uint16_t port, const std::string& method, const std::string& target,
           const std::string& body = "") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return {};
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                    "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<size_t>(n));
  ::close(fd);
  Reply r;
  if (raw.size() > 12) r.status = std::stoi(raw.substr(9, 3));
  size_t at = raw.find("\r\n\r\n");
  if (at != std::string::npos) r.body = raw.substr(at + 4);
  return r;
}

nlohmann::json call(uint16_t port, const std::string& method, nlohmann::json params) {
  nlohmann::json req{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
  return nlohmann::json::parse(http(port, "POST", "/", req.dump()).body, nullptr, false);
}

nlohmann::json submit(uint16_t port, const ledger::Tx& tx, bool wait) {
  return call(port, "tx_submit",
              {{"tx", nlohmann::json::parse(tx.canonical)}, {"wait", wait ? "committed" : "none"}});
}

TEST(DiskFullRpcTest, TxSubmitIsRefusedWhileTheDiskIsFullAndHealthzSaysWhy) {
  Cluster c(1, temp_dir("disk-full-rpc"));
  auto fs = std::make_shared<FaultFs>();
  c.options(0).env = FaultFs::env(fs);
  ASSERT_EQ(c.start_all(), 0);
  rpc::Options ro;
  ro.listen = "127.0.0.1:0";
  auto server = rpc::RpcServer::start(c.node(0), ro);
  ASSERT_TRUE(server) << server.status().to_string();
  const uint16_t port = (*server)->port();
  auto transfer = [&] {
    return c.make("bj-buyer", ledger::TxType::kTransfer,
                  ledger::Transfer{c.actor("gz-prov").key.pubkey, 1, ""});
  };
  EXPECT_EQ(submit(port, transfer(), true)["result"]["status"], "committed");

  fs->set_no_space(true);
  // Admitted before the node knew; it cannot be written, so it waits.
  ledger::Tx first = transfer();
  EXPECT_EQ(submit(port, first, false)["result"]["status"], "pending");
  ASSERT_TRUE(eventually([&] { return http(port, "GET", "/healthz").status == 503; }, 5000));
  auto health = nlohmann::json::parse(http(port, "GET", "/healthz").body);
  EXPECT_EQ(health["status"], "storage_error") << health;
  EXPECT_NE(health["storage_error"].get<std::string>().find("No space"), std::string::npos);
  EXPECT_NE(http(port, "GET", "/metrics").body.find("suanli_storage_write_failing 1"),
            std::string::npos);

  ledger::Tx second = transfer();
  nlohmann::json refused = submit(port, second, false);
  ASSERT_TRUE(refused.contains("error")) << refused;
  EXPECT_EQ(refused["error"]["code"], rpc::errc::kBusy);
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("storage write failed"),
            std::string::npos)
      << refused;
  EXPECT_EQ(refused["error"]["data"]["reason"], "storage");
  // Reads keep working.
  EXPECT_EQ(call(port, "block_latest", nlohmann::json::object())["result"]["height"], 1);
  EXPECT_EQ(call(port, "tx_get", {{"tx_hash", to_hex(first.hash)}})["result"]["status"],
            "pending");

  fs->set_no_space(false);
  ASSERT_TRUE(eventually([&] { return http(port, "GET", "/healthz").status == 200; }, 10000));
  ASSERT_TRUE(eventually([&] { return c.has_tx(0, first.hash); }, 10000));
  EXPECT_EQ(submit(port, second, true)["result"]["status"], "committed");
  EXPECT_NE(http(port, "GET", "/metrics").body.find("suanli_storage_write_failing 0"),
            std::string::npos);
  (*server)->stop();
}

}  // namespace
}  // namespace suanli::node::testing
