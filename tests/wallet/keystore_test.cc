// The keystore: files 0600, no key material in the clear, wrong passwords
// and altered files refused; and the key commands of the real binary.
#include "wallet/keystore.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/random.h"
#include "genesis/node_config.h"
#include "tests/wallet/wallet_util.h"
#include "wallet/secure_file.h"
#include "wallet/table.h"

namespace suanli::wallet::testing {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(KeystoreTest, FileIsPrivateAndHoldsNoClearKey) {
  ledger::crypto_init();
  Keystore ks(temp_dir("ks") + "/keys");
  ledger::KeyPair key = ledger::keypair_from_seed(random_seed32());
  ASSERT_TRUE(ks.create("alice", key, "pw-1", KdfCost::kTestOnly));
  std::string path = ks.path_of("alice");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(ks.dir()), 0700u);
  std::string text = read_all(path);
  EXPECT_NE(text.find(to_hex(key.pubkey)), std::string::npos);
  EXPECT_EQ(text.find(to_hex(key.seed)), std::string::npos);
  EXPECT_EQ(text.find(to_hex(key.secret)), std::string::npos);
  std::string raw_seed(key.seed.begin(), key.seed.end());
  EXPECT_EQ(text.find(raw_seed), std::string::npos);

  auto back = ks.unlock("alice", "pw-1");
  ASSERT_TRUE(back) << back.status().to_string();
  EXPECT_EQ(back->seed, key.seed);
  EXPECT_EQ(back->pubkey, key.pubkey);
  EXPECT_FALSE(ks.create("alice", key, "pw-1", KdfCost::kTestOnly));  // never replaced
}

TEST(KeystoreTest, WrongPasswordAlteredFileAndLooseModeAreRefused) {
  ledger::crypto_init();
  Keystore ks(temp_dir("ks"));
  ledger::KeyPair key = ledger::keypair_from_seed(random_seed32());
  ASSERT_TRUE(ks.create("bob", key, "right", KdfCost::kTestOnly));
  auto wrong = ks.unlock("bob", "wrong");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.status().code(), "wrong_password");
  EXPECT_EQ(ks.unlock("nobody", "right").status().code(), "not_found");

  // Another pubkey in the file: authentication fails (the pubkey is bound).
  std::string text = read_all(ks.path_of("bob"));
  std::string other = to_hex(ledger::keypair_from_seed(random_seed32()).pubkey);
  text.replace(text.find(to_hex(key.pubkey)), other.size(), other);
  fs::remove(ks.path_of("bob"));
  ASSERT_TRUE(write_new_file(ks.path_of("bob"), text, 0600));
  EXPECT_EQ(ks.unlock("bob", "right").status().code(), "wrong_password");

  ASSERT_TRUE(ks.create("carol", key, "right", KdfCost::kTestOnly));
  fs::permissions(ks.path_of("carol"), fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::add);
  EXPECT_EQ(ks.unlock("carol", "right").status().code(), "insecure_keystore");
  EXPECT_FALSE(ks.create("../evil", key, "right", KdfCost::kTestOnly));
}

// A file names its own Argon2id cost; one beyond libsodium's SENSITIVE level
// (or below its minimum) is refused before any key derivation, so a crafted
// keystore cannot make the wallet allocate gigabytes or spin for minutes.
TEST(KeystoreTest, KdfCostAFileAsksForIsBounded) {
  ledger::crypto_init();
  Keystore ks(temp_dir("ks"));
  ASSERT_TRUE(
      ks.create("erin", ledger::keypair_from_seed(random_seed32()), "pw", KdfCost::kTestOnly));
  const std::string text = read_all(ks.path_of("erin"));
  ASSERT_TRUE(parse_keystore(text, "erin.json"));
  auto with = [&](const std::string& member, uint64_t value) {
    auto j = nlohmann::json::parse(text);
    j["kdf"][member] = value;
    return j.dump();
  };
  for (const auto& t : {with("memlimit", uint64_t{1} << 40), with("opslimit", 1000000),
                        with("memlimit", 1), with("opslimit", 0)}) {
    auto p = parse_keystore(t, "erin.json");
    ASSERT_FALSE(p);
    EXPECT_EQ(p.status().code(), "invalid_keystore");
    EXPECT_NE(p.status().message().find("kdf cost out of range"), std::string::npos);
    EXPECT_EQ(decrypt_keystore(t, "pw", "erin", "erin.json").status().code(), "invalid_keystore");
  }
  auto key = decrypt_keystore(text, "pw", "erin", "erin.json");
  EXPECT_TRUE(key) << key.status().to_string();
}

// Found by the keystore fuzz target: a version or KDF cost given as a float
// out of range (1e300) was converted to an integer, which is undefined
// behaviour; numbers that are not unsigned integers are refused.
TEST(KeystoreTest, NumbersMustBeUnsignedIntegers) {
  ledger::crypto_init();
  Keystore ks(temp_dir("ks"));
  ASSERT_TRUE(
      ks.create("finn", ledger::keypair_from_seed(random_seed32()), "pw", KdfCost::kTestOnly));
  const auto good = nlohmann::json::parse(read_all(ks.path_of("finn")));
  auto refused = [](const nlohmann::json& j) {
    return parse_keystore(j.dump(), "finn.json").status().code() == "invalid_keystore";
  };
  for (const nlohmann::json& bad : {nlohmann::json(1e300), nlohmann::json(-1e300),
                                    nlohmann::json(2.5), nlohmann::json(-1), nlohmann::json("2")}) {
    auto j = good;
    j["kdf"]["opslimit"] = bad;
    EXPECT_TRUE(refused(j)) << "opslimit " << bad;
    j = good;
    j["kdf"]["memlimit"] = bad;
    EXPECT_TRUE(refused(j)) << "memlimit " << bad;
    j = good;
    j["version"] = bad;
    EXPECT_TRUE(refused(j)) << "version " << bad;
  }
  EXPECT_TRUE(parse_keystore(good.dump(), "finn.json"));
}

TEST(KeystoreTest, KeyCommandsOfTheBinary) {
  std::string dir = temp_dir("cli");
  std::string ks = dir + "/keystore";
  std::string pw = dir + "/pw";
  ASSERT_TRUE(write_new_file(pw, "s3cret\n", 0600));
  auto wallet = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--keystore", ks, "--password-file", pw});
    return run_binary(wallet_binary(), args);
  };
  RunResult made = wallet({"key", "new", "dana", "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string pubkey = made.json().value("pubkey", "");
  EXPECT_EQ(pubkey.size(), 64u);
  EXPECT_EQ(mode_of(ks + "/dana.json"), 0600u);
  EXPECT_EQ(wallet({"key", "new", "dana"}).exit_code, 2);  // exists

  // Import a node-key file; list and show; the seed never appears.
  ledger::KeyPair imported = ledger::keypair_from_seed(random_seed32());
  ASSERT_TRUE(genesis::write_node_key(dir + "/node.key.json", imported));
  RunResult imp = wallet({"key", "import", "erin", dir + "/node.key.json"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_EQ(read_all(ks + "/erin.json").find(to_hex(imported.seed)), std::string::npos);
  RunResult list = wallet({"key", "list"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("dana"), std::string::npos);
  EXPECT_NE(list.out.find(to_hex(imported.pubkey)), std::string::npos);
  RunResult show = wallet({"--json", "key", "show", "erin"});
  EXPECT_EQ(show.json().value("pubkey", ""), to_hex(imported.pubkey));
  EXPECT_EQ(wallet({"key", "import", "x", dir + "/missing.json"}).exit_code, 2);

  // The password from the environment when there is no --password-file, and
  // a clean failure (exit 1, no key material) with the wrong one.
  ::setenv("SUANLI_WALLET_PASSWORD", "not-it", 1);
  RunResult bad = run_binary(wallet_binary(),
                             {"--keystore", ks, "deposit", "--offline", "--from", "dana", "--to",
                              to_hex(imported.pubkey), "--amount", "1", "--reference", "r"});
  ::unsetenv("SUANLI_WALLET_PASSWORD");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("wrong password for key 'dana'"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.out, "");
  // No password anywhere and no terminal: bad usage, said plainly.
  RunResult none = run_binary(wallet_binary(), {"--keystore", ks, "withdraw", "--offline", "--from",
                                                "dana", "--amount", "1", "--reference", "r"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--password-file"), std::string::npos) << none.err;
}

TEST(TableTest, ChineseNamesAlignByDisplayWidth) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("贵州"), 4u);
  EXPECT_EQ(display_width("¥1.00"), 5u);
  Table t({"NAME", "AMOUNT"}, {false, true});
  t.add({"贵州黔云", yuan(107000010)});
  t.add({"bj", yuan(5)});
  std::string out = t.render();
  EXPECT_EQ(out,
            "NAME             AMOUNT\n"
            "贵州黔云  ¥1,070,000.10\n"
            "bj                ¥0.05\n");
}

}  // namespace
}  // namespace suanli::wallet::testing
