#include "tests/wallet/wallet_util.h"

#include <fcntl.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "wallet/rpc_client.h"

extern char** environ;

namespace suanli::wallet::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Removes the temporary directories when the test binary exits.
struct TempRoot {
  std::string path;
  TempRoot() {
    path = (fs::temp_directory_path() / ("suanli-wallet-test-" + random_hex(6))).string();
    fs::create_directories(path);
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
TempRoot& temp_root() {
  static TempRoot root;
  return root;
}

}  // namespace

nlohmann::json RunResult::json() const {
  auto j = nlohmann::json::parse(out, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

std::string wallet_binary() { return SUANLI_BUILD_DIR "/wallet/suanli-wallet"; }

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return to_hex(std::string_view(raw));
}

std::string temp_dir(const std::string& name) {
  std::string p = temp_root().path + "/" + name + "-" + random_hex(4);
  fs::create_directories(p);
  return p;
}

RunResult run_binary(const std::string& path, const std::vector<std::string>& args,
                     const std::string& input) {
  std::string io = temp_dir("io");
  { std::ofstream(io + "/in") << input; }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, (io + "/in").c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, (io + "/out").c_str(), O_WRONLY | O_CREAT, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, (io + "/err").c_str(), O_WRONLY | O_CREAT, 0600);
  // A new session: no controlling terminal, so the wallet can never prompt.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  RunResult r;
  if (posix_spawn(&pid, path.c_str(), &fa, &attr, argv.data(), environ) == 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  r.out = slurp(io + "/out");
  r.err = slurp(io + "/err");
  std::error_code ec;
  fs::remove_all(io, ec);
  return r;
}

WalletNet& WalletNet::get() {
  static WalletNet net;
  return net;
}

WalletNet::WalletNet() {
  ::setenv("SUANLI_WALLET_TEST_KDF", "1", 1);
  ::unsetenv("SUANLI_WALLET_PASSWORD");
  dir_ = temp_dir("net");
  devnet_ = std::make_unique<suanli::testing::ProcessDevnet>(1, dir_ + "/devnet");
  auto started = devnet_->start_all(20000);
  if (!started) throw std::runtime_error(started.message());
  keystore_ = dir_ + "/keystore";
  password_file_ = dir_ + "/password.txt";
  { std::ofstream(password_file_) << "correct horse battery staple\n"; }
  fs::permissions(password_file_, fs::perms::owner_read | fs::perms::owner_write);
  for (const auto& p : devnet_->devnet().participants) {
    RunResult r =
        wallet({"key", "import", p.key_name, dir_ + "/devnet/keys/" + p.key_name + ".key.json"});
    if (r.exit_code != 0) throw std::runtime_error("key import " + p.key_name + ": " + r.err);
  }
}

std::string WalletNet::url() const { return "http://" + devnet_->devnet().nodes[0].rpc; }

RunResult WalletNet::wallet(const std::vector<std::string>& args, const std::string& input) const {
  std::vector<std::string> all = {"--node",          url(),         "--keystore", keystore_,
                                  "--password-file", password_file_};
  all.insert(all.end(), args.begin(), args.end());
  return run_binary(wallet_binary(), all, input);
}

::testing::AssertionResult WalletNet::ok(const std::vector<std::string>& args) const {
  std::vector<std::string> all = args;
  all.push_back("--wait");
  RunResult r = wallet(all);
  if (r.exit_code != 0 || r.out.find("✓ committed in block") == std::string::npos) {
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    return ::testing::AssertionFailure() << cmd << "-> exit " << r.exit_code << "\n"
                                         << r.out << r.err;
  }
  return ::testing::AssertionSuccess();
}

nlohmann::json WalletNet::rpc(const std::string& method, const nlohmann::json& params) {
  auto r = devnet_->call(0, method, params);
  EXPECT_TRUE(r && r->contains("result")) << method << ": " << (r ? r->dump() : "no answer");
  return r && r->contains("result") ? (*r)["result"] : nlohmann::json();
}

std::string WalletNet::pubkey(const std::string& name) const {
  return to_hex(devnet_->key(name).pubkey);
}

std::string WalletNet::completed_contract(uint64_t qty) {
  std::string id = random_hex(16);
  std::string q = std::to_string(qty);
  bool done = ok({"contract",      "create",
                  "--from",        "bj-ai",
                  "--contract-id", id,
                  "--provider",    "gz-supercomputing",
                  "--class",       "intelligent",
                  "--model",       "A800",
                  "--unit",        "card_hour",
                  "--quantity",    q,
                  "--unit-price",  "10",
                  "--deadline",    "+1d"}) &&
              ok({"contract", "accept", "--from", "gz-supercomputing", "--contract-id", id}) &&
              ok({"delivery", "report", "--from", "gz-supercomputing", "--contract-id", id,
                  "--quantity", q, "--evidence", random_hex(32)}) &&
              ok({"delivery", "ack", "--from", "bj-ai", "--contract-id", id, "--seq", "1"}) &&
              ok({"contract", "close", "--from", "bj-ai", "--contract-id", id});
  EXPECT_TRUE(done) << "could not complete contract " << id;
  return id;
}

}  // namespace suanli::wallet::testing
