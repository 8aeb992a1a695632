#include "genesis/node_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <vector>

#include "common/random.h"
#include "genesis/genesis.h"
#include "tests/genesis/genesis_util.h"

namespace suanli::genesis {
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

TEST(NodeConfigTest, ResolvesRelativePathsAgainstTheConfigFile) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "etc");
  fs::path path = dir.path() / "etc" / "gz-1.json";
  write_text(path, R"({ "node_id": "gz-1", "data_dir": "data/gz-1", "genesis": "../genesis.json",
    "key_file": "/abs/gz-1.key.json", "listen": "127.0.0.1:7601", "rpc": "127.0.0.1:8645",
    "rpc_token": "s3cret", "log_level": "debug" })");
  auto c = load_node_config(path.string());
  ASSERT_TRUE(c) << c.status().to_string();
  EXPECT_EQ(c->node_id, "gz-1");
  EXPECT_EQ(c->data_dir, (dir.path() / "etc" / "data" / "gz-1").string());
  EXPECT_EQ(c->genesis, (dir.path() / "genesis.json").string());
  EXPECT_EQ(c->key_file, "/abs/gz-1.key.json");
  EXPECT_EQ(c->listen, "127.0.0.1:7601");
  EXPECT_EQ(c->rpc, "127.0.0.1:8645");
  EXPECT_EQ(c->rpc_token, "s3cret");
  EXPECT_EQ(c->log_level, "debug");
}

TEST(NodeConfigTest, TokenAndLogLevelAreOptional) {
  auto c = parse_node_config(R"({"node_id": "bj-1", "data_dir": "d", "genesis": "g.json",
    "key_file": "k.json", "listen": "0.0.0.0:7603", "rpc": "[::1]:8647"})",
                             "/srv/suanli");
  ASSERT_TRUE(c) << c.status().to_string();
  EXPECT_EQ(c->rpc_token, "");
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->data_dir, "/srv/suanli/d");
}

TEST(NodeConfigTest, RefusesBadFieldsNamingThem) {
  const std::string good_head = R"({"node_id": "bj-1", "data_dir": "d", "genesis": "g.json",
    "key_file": "k.json", "listen": "127.0.0.1:7603")";
  struct Case {
    std::string text;
    const char* field;
  };
  const std::vector<Case> cases = {
      {good_head + R"(, "rpc": "127.0.0.1:8645", "extra": 1})", "extra"},
      {good_head + "}", "rpc"},
      {good_head + R"(, "rpc": "127.0.0.1"})", "rpc"},
      {good_head + R"(, "rpc": "127.0.0.1:8645", "log_level": "loud"})", "log_level"},
      {good_head + R"(, "rpc": "127.0.0.1:8645", "rpc_token": 5})", "rpc_token"},
      {good_head + R"(, "rpc": "127.0.0.1:8645", "node_id": "x"})", "node_id"},  // duplicate
      {R"({"node_id": "b j", "data_dir": "d", "genesis": "g", "key_file": "k",
          "listen": "h:1", "rpc": "h:2"})",
       "node_id"},
      {R"({"node_id": "bj", "data_dir": "", "genesis": "g", "key_file": "k",
          "listen": "h:1", "rpc": "h:2"})",
       "data_dir"},
  };
  for (const Case& c : cases) {
    auto r = parse_node_config(c.text, "/tmp");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.status().code(), "invalid_config");
    EXPECT_EQ(r.status().message().rfind(std::string(c.field) + ":", 0), 0u)
        << r.status().message();
  }
  auto missing = load_node_config("/nonexistent/suanli/node.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), "io_error");
}

TEST(NodeKeyTest, WritesMode0600AndLoadsBack) {
  ledger::crypto_init();
  testing::TempDir dir;
  std::string path = (dir.path() / "node.key.json").string();
  NodeKey key = ledger::keypair_from_seed(random_seed32());
  ASSERT_TRUE(write_node_key(path, key));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = load_node_key(path);
  ASSERT_TRUE(loaded) << loaded.status().to_string();
  EXPECT_EQ(loaded->pubkey, key.pubkey);
  EXPECT_EQ(loaded->seed, key.seed);
  EXPECT_EQ(loaded->secret, key.secret);
  // Never replaces an existing key.
  Status again = write_node_key(path, ledger::keypair_from_seed(random_seed32()));
  EXPECT_FALSE(again);
  auto still = load_node_key(path);
  ASSERT_TRUE(still);
  EXPECT_EQ(still->pubkey, key.pubkey);
}

TEST(NodeKeyTest, RefusesKeyAccessibleByOthers) {
  ledger::crypto_init();
  testing::TempDir dir;
  std::string path = (dir.path() / "node.key.json").string();
  ASSERT_TRUE(write_node_key(path, ledger::keypair_from_seed(random_seed32())));
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto k = load_node_key(path);
    ASSERT_FALSE(k) << std::oct << mode;
    EXPECT_EQ(k.status().code(), "insecure_key_file");
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(load_node_key(path));
}

TEST(NodeKeyTest, RefusesMismatchedOrMalformedKeys) {
  ledger::crypto_init();
  testing::TempDir dir;
  NodeKey a = ledger::keypair_from_seed(random_seed32());
  NodeKey b = ledger::keypair_from_seed(random_seed32());
  auto write = [&](const std::string& name, const std::string& text) {
    std::string path = (dir.path() / name).string();
    write_text(path, text);
    EXPECT_EQ(::chmod(path.c_str(), 0600), 0);
    return path;
  };
  std::string seed_a = to_hex(a.seed);
  std::string upper = seed_a;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<std::string> bad = {
      write("mismatch", R"({"pubkey":")" + to_hex(b.pubkey) + R"(","seed":")" + seed_a + "\"}"),
      write("upper", R"({"pubkey":")" + to_hex(a.pubkey) + R"(","seed":")" + upper + "\"}"),
      write("short", R"({"pubkey":")" + to_hex(a.pubkey) + R"(","seed":"abcd"})"),
      write("extra",
            R"({"pubkey":")" + to_hex(a.pubkey) + R"(","seed":")" + seed_a + R"(","note":"x"})"),
      write("missing", R"({"pubkey":")" + to_hex(a.pubkey) + "\"}"),
      write("garbage", "not json"),
  };
  for (const std::string& path : bad) {
    auto k = load_node_key(path);
    ASSERT_FALSE(k) << path;
    EXPECT_EQ(k.status().code(), "invalid_key") << path;
    // A refused key never shows its seed in the error.
    EXPECT_EQ(k.status().message().find(seed_a), std::string::npos);
  }
  auto m = load_node_key(bad[0]);
  EXPECT_NE(m.status().message().find("does not match"), std::string::npos);
}

TEST(NodeConfigTest, IdentityComesFromTheGenesisEntryOfTheKey) {
  auto g = parse_genesis(testing::valid_genesis_json().dump());
  ASSERT_TRUE(g) << g.status().to_string();
  NodeConfig config;
  config.node_id = "bj-1";
  auto member = genesis_identity(*g, config, testing::test_pubkey(102));
  ASSERT_TRUE(member) << member.status().to_string();
  ASSERT_TRUE(member->has_value());
  EXPECT_EQ((*member)->node_id, "bj-1");
  EXPECT_EQ((*member)->role, ledger::NodeRole::kLearner);

  config.node_id = "new-1";  // a joiner: its key is not in the genesis
  auto joiner = genesis_identity(*g, config, testing::test_pubkey(200));
  ASSERT_TRUE(joiner);
  EXPECT_FALSE(joiner->has_value());

  config.node_id = "gz-9";  // listed key, other name
  auto renamed = genesis_identity(*g, config, testing::test_pubkey(102));
  ASSERT_FALSE(renamed);
  EXPECT_EQ(renamed.status().code(), "invalid_config");

  config.node_id = "gz-1";  // a name the genesis gives to another key
  auto impostor = genesis_identity(*g, config, testing::test_pubkey(200));
  ASSERT_FALSE(impostor);
  EXPECT_EQ(impostor.status().message().rfind("node_id:", 0), 0u);
}

}  // namespace
}  // namespace suanli::genesis
