// suanlid's command line: log lines for journald and for a terminal, and
// usage errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>

#include "tests/integration/process_util.h"

namespace suanli::testing {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(CommandLineTest, UnderSystemdEachLogLineStartsWithItsSyslogPriority) {
  const std::string dir = temp_dir("cli-journal");
  ProcessDevnet d(1, dir);
  const std::string config = d.devnet().nodes.at(0).config_path;
  // A key file that does not exist: the node logs a critical line and exits 1.
  CommandResult journal =
      run_suanlid("--config " + config + " --key " + dir + "/missing.key.json", "JOURNAL_STREAM=8:12345");
  EXPECT_EQ(journal.status, 1);
  auto lines = lines_of(journal.output);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind("<2>critical: key file ", 0), 0u) << journal.output;

  CommandResult terminal = run_suanlid("--config " + config + " --key " + dir + "/missing.key.json");
  EXPECT_EQ(terminal.status, 1);
  lines = lines_of(terminal.output);
  ASSERT_FALSE(lines.empty());
  // An ISO 8601 time first, and no priority prefix.
  EXPECT_EQ(lines.back().substr(0, 2), "20") << terminal.output;
  EXPECT_NE(lines.back().find("critical"), std::string::npos);
  EXPECT_EQ(lines.back().find("<2>"), std::string::npos);

  // Under systemd a starting node's info lines carry <6>. (Its JSON-RPC
  // address is its own peer address, taken by then: it stops there.)
  CommandResult info = run_suanlid(
      "--config " + config + " --rpc " + d.devnet().nodes.at(0).listen + " --log-level info",
      "JOURNAL_STREAM=8:1");
  EXPECT_EQ(info.status, 1);
  EXPECT_NE(info.output.find("<6>info: initialised"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("<2>critical: cannot start JSON-RPC"), std::string::npos)
      << info.output;
}

TEST(CommandLineTest, NodeWhosePeerPortIsTakenExitsAtOnce) {
  const std::string dir = temp_dir("cli-port");
  ProcessDevnet d(1, dir);
  // Another process holds the peer port.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(d.peer_port(0));
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  // `timeout` turns a hang into status 124.
  CommandResult r =
      run_suanlid("--config " + d.devnet().nodes.at(0).config_path, "timeout 20");
  ::close(fd);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("cannot start node"), std::string::npos) << r.output;
}

TEST(CommandLineTest, BackupAndRestoreNameWhatIsMissing) {
  const std::string dir = temp_dir("cli-usage");
  ProcessDevnet d(1, dir);
  const std::string config = d.devnet().nodes.at(0).config_path;
  CommandResult r = run_suanlid("backup --config " + config);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--to DIR is required"), std::string::npos) << r.output;
  r = run_suanlid("restore --config " + config);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--from DIR is required"), std::string::npos) << r.output;
  r = run_suanlid("backup --to /tmp/x");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("missing --data-dir"), std::string::npos) << r.output;
  r = run_suanlid("backup --config " + config + " --to " + dir + "/b");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("no data directory"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace suanli::testing
