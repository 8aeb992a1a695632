// Runs the built suanli-genesis binary and checks what it wrote.
#include "genesis/devnet.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "genesis/genesis.h"
#include "genesis/node_config.h"
#include "ledger/validate.h"
#include "tests/genesis/genesis_util.h"
#include "wallet/keystore.h"

namespace suanli::genesis {
namespace {

namespace fs = std::filesystem;

const char* kBinary = SUANLI_BUILD_DIR "/genesis/suanli-genesis";

// Runs the binary with `args` (shell words), output discarded; returns the exit status.
int run_genesis(const std::string& args) {
  std::string command = std::string(kBinary) + " " + args + " >/dev/null 2>&1";
  int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

mode_t file_mode(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 07777;
  return st.st_mode & 0777;
}

TEST(DevnetTest, WritesGenesisKeysAndConfigsThatLoad) {
  ::unsetenv("SUANLI_WALLET_TEST_KDF");  // the real Argon2id cost
  testing::TempDir tmp;
  fs::path out = tmp.path() / "net";
  ASSERT_EQ(run_genesis("devnet --nodes 3 --out " + out.string()), 0);

  auto g = load_genesis((out / "genesis.json").string());
  ASSERT_TRUE(g) << g.status().to_string();
  EXPECT_EQ(g->chain_id, "suanli-devnet");
  EXPECT_EQ(g->policy.membership_approvals, 2u);
  EXPECT_EQ(g->policy.max_block_txs, 8192u);
  ASSERT_EQ(g->programs.size(), 2u);
  EXPECT_EQ(g->programs[0].province, "CN-GZ");
  EXPECT_EQ(g->programs[0].basis, ledger::Basis::kProvider);
  EXPECT_EQ(g->programs[0].rate_bps, 300u);
  EXPECT_EQ(g->programs[1].province, "CN-BJ");
  EXPECT_EQ(g->programs[1].basis, ledger::Basis::kBuyer);
  EXPECT_EQ(g->programs[1].rate_bps, 2000u);

  const std::vector<std::string> ids = {"gz-1", "gz-2", "bj-1"};
  ASSERT_EQ(g->nodes.size(), ids.size());
  std::set<std::string> listens, rpcs;
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto& n = g->nodes[i];
    EXPECT_EQ(n.node_id, ids[i]);
    EXPECT_EQ(n.role, ledger::NodeRole::kVoter);
    EXPECT_EQ(n.address, "127.0.0.1:" + std::to_string(7601 + i));
    fs::path config_path = out / (ids[i] + ".json");
    EXPECT_EQ(file_mode(config_path), 0600u);
    auto c = load_node_config(config_path.string());
    ASSERT_TRUE(c) << c.status().to_string();
    EXPECT_EQ(c->node_id, ids[i]);
    EXPECT_EQ(c->listen, n.address);
    EXPECT_EQ(c->rpc, "127.0.0.1:" + std::to_string(8645 + i));
    EXPECT_EQ(c->genesis, (out / "genesis.json").string());
    EXPECT_EQ(c->data_dir, (out / "data" / ids[i]).string());
    EXPECT_FALSE(c->rpc_token.empty());
    listens.insert(c->listen);
    rpcs.insert(c->rpc);
    EXPECT_EQ(file_mode(c->key_file), 0600u);
    auto key = load_node_key(c->key_file);
    ASSERT_TRUE(key) << key.status().to_string();
    EXPECT_EQ(key->pubkey, n.pubkey);
  }
  EXPECT_EQ(listens.size(), 3u);
  EXPECT_EQ(rpcs.size(), 3u);

  struct Expected {
    ledger::Role role;
    const char* province;
    uint64_t balance;
  };
  const std::map<std::string, Expected> demo = {
      {"gz-regulator", {ledger::Role::kRegulator, "CN-GZ", 0}},
      {"bj-regulator", {ledger::Role::kRegulator, "CN-BJ", 0}},
      {"gz-supercomputing", {ledger::Role::kProvider, "CN-GZ", 0}},
      {"gz-intelligent", {ledger::Role::kProvider, "CN-GZ", 0}},
      {"bj-ai", {ledger::Role::kBuyer, "CN-BJ", 5000000000}},
      {"gd-robotics", {ledger::Role::kBuyer, "CN-GD", 5000000000}},
      {"sh-biotech", {ledger::Role::kBuyer, "CN-SH", 5000000000}},
  };
  ASSERT_EQ(g->participants.size(), demo.size());
  // Encrypted wallet keystores, their demo password in a private file, and
  // no participant key in the clear anywhere.
  EXPECT_FALSE(fs::exists(out / "keys"));
  fs::path password_path = out / kDevnetPasswordFile;
  EXPECT_EQ(file_mode(password_path), 0600u);
  std::string password;
  std::getline(std::ifstream(password_path), password);
  ASSERT_FALSE(password.empty());
  wallet::Keystore keystore((out / kDevnetKeystoreDir).string());
  for (const auto& [name, want] : demo) {
    std::string key_path = keystore.path_of(name);
    EXPECT_EQ(file_mode(key_path), 0600u) << name;
    auto info = keystore.info(name);
    ASSERT_TRUE(info) << name << ": " << info.status().to_string();
    EXPECT_EQ(info->opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE) << name;
    EXPECT_EQ(info->memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE) << name;
    EXPECT_FALSE(keystore.unlock(name, password + "x")) << name;
    auto key = keystore.unlock(name, password);
    ASSERT_TRUE(key) << name << ": " << key.status().to_string();
    std::string text((std::istreambuf_iterator<char>(std::ifstream(key_path).rdbuf())), {});
    EXPECT_EQ(text.find(to_hex(key->seed)), std::string::npos) << name;
    const ledger::GenesisParticipant* found = nullptr;
    for (const auto& p : g->participants) {
      if (p.pubkey == key->pubkey) found = &p;
    }
    ASSERT_NE(found, nullptr) << name;
    EXPECT_EQ(found->role, want.role) << name;
    EXPECT_EQ(found->province, want.province) << name;
    EXPECT_EQ(found->balance, want.balance) << name;
    EXPECT_TRUE(ledger::is_credit_code(found->credit_code)) << name;
  }
}

TEST(DevnetTest, PortsChainIdAndNodeNames) {
  ::setenv("SUANLI_WALLET_TEST_KDF", "1", 1);  // cheap keystores from here on
  testing::TempDir tmp;
  fs::path out = tmp.path() / "net";
  ASSERT_EQ(run_genesis("devnet --nodes 5 --out " + out.string() +
                        " --chain-id suanli-test --base-port 9000 --rpc-base-port 9100"
                        " --genesis-time 1767225600000"),
            0);
  auto g = load_genesis((out / "genesis.json").string());
  ASSERT_TRUE(g) << g.status().to_string();
  EXPECT_EQ(g->chain_id, "suanli-test");
  EXPECT_EQ(g->genesis_time, 1767225600000u);
  const std::vector<std::string> ids = {"gz-1", "gz-2", "bj-1", "gz-3", "gz-4"};
  ASSERT_EQ(g->nodes.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(g->nodes[i].node_id, ids[i]);
    EXPECT_EQ(g->nodes[i].address, "127.0.0.1:" + std::to_string(9001 + i));
    auto c = load_node_config((out / (ids[i] + ".json")).string());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->rpc, "127.0.0.1:" + std::to_string(9101 + i));
  }
}

TEST(DevnetTest, KeyCommandWritesANewNodeKeyAndNeverReplacesOne) {
  testing::TempDir tmp;
  const std::string file = (tmp.path() / "node.key.json").string();
  ASSERT_EQ(run_genesis("key --out " + file), 0);
  auto key = load_node_key(file);
  ASSERT_TRUE(key) << key.status().to_string();
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(run_genesis("key --out " + file), 1);
  auto again = load_node_key(file);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->pubkey, key->pubkey) << "an existing key was replaced";
  const std::string other = (tmp.path() / "other.key.json").string();
  ASSERT_EQ(run_genesis("key --out " + other), 0);
  EXPECT_NE(load_node_key(other)->pubkey, key->pubkey);
  EXPECT_EQ(run_genesis("key"), 2);
}

TEST(DevnetTest, RefusesNonEmptyDirectoryAndBadUsage) {
  testing::TempDir tmp;
  fs::path out = tmp.path() / "net";
  ASSERT_EQ(run_genesis("devnet --nodes 1 --out " + out.string()), 0);
  auto before = load_genesis((out / "genesis.json").string());
  ASSERT_TRUE(before);
  EXPECT_EQ(run_genesis("devnet --nodes 1 --out " + out.string()), 1);
  auto after = load_genesis((out / "genesis.json").string());
  ASSERT_TRUE(after);
  EXPECT_EQ(after->hash, before->hash);

  fs::path empty = tmp.path() / "empty";
  fs::create_directories(empty);
  EXPECT_EQ(run_genesis("devnet --nodes 1 --out " + empty.string()), 0);

  std::string fresh = (tmp.path() / "fresh").string();
  EXPECT_EQ(run_genesis(""), 2);
  EXPECT_EQ(run_genesis("mainnet --nodes 1 --out " + fresh), 2);
  EXPECT_EQ(run_genesis("devnet --out " + fresh), 2);
  EXPECT_EQ(run_genesis("devnet --nodes 3"), 2);
  EXPECT_EQ(run_genesis("devnet --nodes 0 --out " + fresh), 2);
  EXPECT_EQ(run_genesis("devnet --nodes 33 --out " + fresh), 2);
  EXPECT_EQ(run_genesis("devnet --nodes x --out " + fresh), 2);
  EXPECT_EQ(run_genesis("devnet --nodes 2 --out " + fresh + " --bogus"), 2);
  EXPECT_EQ(run_genesis("devnet --nodes 2 --out " + fresh + " --chain-id 'a b'"), 2);
  EXPECT_EQ(run_genesis("devnet --nodes 2 --out " + fresh + " --base-port 70000"), 2);
  EXPECT_FALSE(fs::exists(fresh));
  EXPECT_EQ(run_genesis("--help"), 0);
}

TEST(DevnetTest, CreditCodesHaveValidCheckCharacters) {
  EXPECT_TRUE(ledger::is_credit_code(make_credit_code("91520000MA6DQ2R81")));
  EXPECT_TRUE(ledger::is_credit_code(make_credit_code("11110000MB0187652")));
}


TEST(DevnetTest, FreePortBlockIsInRangeAndBindable) {
  auto base = free_port_block(20000, 100, 12345);
  ASSERT_TRUE(base);
  EXPECT_GE(*base, 20000);
  EXPECT_LT(*base, 20000 + 100 * 16);
  EXPECT_EQ((*base - 20000) % 16, 0);
  // A range of one block, held by us: nothing free there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(*base + 1));
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  EXPECT_FALSE(free_port_block(*base, 1, 1));
  ::close(fd);
}

}  // namespace
}  // namespace suanli::genesis
