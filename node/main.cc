// suanlid: the suanli ledger node.
//
//   suanlid --config node.json
//   suanlid --data-dir DIR --genesis FILE --listen HOST:PORT --rpc HOST:PORT --key FILE
//           [--node-id ID] [--rpc-token T] [--log-level L]
//   suanlid backup --config node.json --to DIR      (online or offline)
//   suanlid restore --config new-node.json --from DIR
//   suanlid --version
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string_view>

#include "genesis/genesis.h"
#include "genesis/node_config.h"
#include "ledger/crypto.h"
#include "node/cli.h"
#include "node/node.h"
#include "rpc/server.h"

namespace po = boost::program_options;
using namespace suanli;

namespace {

constexpr int kExitUsage = 2;

int fail(const std::string& what) {
  spdlog::critical("{}", what);
  return 1;
}

// Builds the configuration from --config or from individual flags (flags
// override the file's fields).
}  // namespace

namespace suanli::node_cli {

std::optional<genesis::NodeConfig> load_config(const po::variables_map& vm,
                                               const std::vector<std::string>& required,
                                               std::string* error) {
  genesis::NodeConfig c;
  if (vm.count("config")) {
    auto loaded = genesis::load_node_config(vm["config"].as<std::string>());
    if (!loaded) {
      *error = loaded.status().to_string();
      return std::nullopt;
    }
    c = *loaded;
  }
  auto abs = [](const std::string& p) { return std::filesystem::absolute(p).string(); };
  if (vm.count("data-dir")) c.data_dir = abs(vm["data-dir"].as<std::string>());
  if (vm.count("genesis")) c.genesis = abs(vm["genesis"].as<std::string>());
  if (vm.count("key")) c.key_file = abs(vm["key"].as<std::string>());
  if (vm.count("listen")) c.listen = vm["listen"].as<std::string>();
  if (vm.count("rpc")) c.rpc = vm["rpc"].as<std::string>();
  if (vm.count("node-id")) c.node_id = vm["node-id"].as<std::string>();
  if (vm.count("rpc-token")) c.rpc_token = vm["rpc-token"].as<std::string>();
  if (vm.count("log-level")) c.log_level = vm["log-level"].as<std::string>();
  if (c.rpc.empty()) c.rpc = "127.0.0.1:8645";
  const std::map<std::string, std::string*> fields = {{"data-dir", &c.data_dir},
                                                      {"genesis", &c.genesis},
                                                      {"key", &c.key_file},
                                                      {"listen", &c.listen},
                                                      {"node-id", &c.node_id}};
  for (const auto& name : required) {
    if (fields.at(name)->empty()) {
      *error = "missing --" + name + " (or --config)";
      return std::nullopt;
    }
  }
  return c;
}

}  // namespace suanli::node_cli

namespace {

struct Tuning {
  uint64_t snapshot_interval = 10000;
  uint64_t snapshot_keep = 1000;
  bool bench_no_signatures = false;
  uint32_t block_interval_ms = 10;
};

int run(const genesis::NodeConfig& config, const Tuning& tuning) {
  // Checked first: a mistyped crash point must not pass for a working node.
  std::string crash_at;
  if (const char* at = std::getenv("SUANLI_CRASH_AT"); at != nullptr && *at != '\0') {
    if (at != node::kCrashPointSnapshotStored && at != node::kCrashPointStateSwitched) {
      return fail(fmt::format("SUANLI_CRASH_AT: unknown crash point '{}' ({}, {})", at,
                              node::kCrashPointSnapshotStored, node::kCrashPointStateSwitched));
    }
    crash_at = at;
  }
  auto key = genesis::load_node_key(config.key_file);
  if (!key) return fail("key file " + config.key_file + ": " + key.status().to_string());
  auto gen = genesis::load_genesis(config.genesis);
  if (!gen) return fail("genesis " + config.genesis + ": " + gen.status().to_string());
  genesis::NodeConfig cfg = config;
  auto identity = genesis::genesis_identity(*gen, cfg, key->pubkey);
  if (!identity) return fail(identity.status().to_string());
  if (*identity) {
    cfg.node_id = (*identity)->node_id;
  } else {
    if (cfg.node_id.empty()) return fail("this key is not in the genesis: --node-id is required");
    spdlog::info("key not in the genesis: starting as a joiner ({})", cfg.node_id);
  }
  node::NodeOptions options;
  options.config = cfg;
  options.genesis = *gen;
  options.genesis_doc = genesis::genesis_to_json(*gen);
  options.key = *key;
  options.snapshot_interval_entries = tuning.snapshot_interval;
  options.snapshot_keep_entries = tuning.snapshot_keep;
  options.bench_no_signatures = tuning.bench_no_signatures;
  options.block_interval_ms = tuning.block_interval_ms;
  options.on_fatal = [] { ::kill(::getpid(), SIGTERM); };  // ends the sigwait below
  if (!crash_at.empty()) {
    options.crash_at = crash_at;
    spdlog::warn("test crash point set: this node exits when it reaches {}", crash_at);
  }
  auto n = node::Node::open(std::move(options));
  if (!n) return fail("cannot open node: " + n.status().to_string());
  if (Status s = (*n)->start(); !s) return fail("cannot start node: " + s.to_string());
  rpc::Options ropts;
  ropts.listen = cfg.rpc;
  ropts.token = cfg.rpc_token;
  auto server = rpc::RpcServer::start(**n, ropts);
  if (!server) {
    (*n)->stop();
    return fail("cannot start JSON-RPC on " + cfg.rpc + ": " + server.status().to_string());
  }
  spdlog::info("suanlid {} node {} serving JSON-RPC on {}, peers on {}", SUANLI_VERSION,
               cfg.node_id, cfg.rpc, cfg.listen);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  auto fatal = (*n)->fatal();
  if (!fatal) spdlog::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->stop();
  (*n)->stop();
  if (fatal) return fail("node stopped: " + fatal->to_string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by sigwait in main; block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  po::options_description desc("suanlid options");
  desc.add_options()("help,h", "show this help")("version", "print the version")(
      "config", po::value<std::string>(), "node configuration file (JSON)")(
      "data-dir", po::value<std::string>(), "data directory")(
      "genesis", po::value<std::string>(), "genesis file")("listen", po::value<std::string>(),
                                                           "peer address to bind, host:port")(
      "rpc", po::value<std::string>(), "JSON-RPC address, host:port (127.0.0.1:8645)")(
      "key", po::value<std::string>(), "node key file (mode 0600)")(
      "node-id", po::value<std::string>(), "node id (for a joiner not in the genesis)")(
      "rpc-token", po::value<std::string>(), "bearer token for operator methods")(
      "log-level", po::value<std::string>(), "trace, debug, info, warn, error, critical, off")(
      "snapshot-interval", po::value<uint64_t>()->default_value(10000),
      "take a state snapshot every N applied Raft entries (100..10000000)")(
      "snapshot-keep", po::value<uint64_t>()->default_value(1000),
      "Raft entries kept behind a snapshot when the log is compacted (10..10000000)")(
      "block-interval-ms", po::value<uint32_t>()->default_value(10),
      "as leader, at most one block per N ms while fewer than 512 transactions wait "
      "(0..1000; 0: no wait)")(
      "bench-no-signatures",
      "BENCHMARK ONLY: check no signature (refused unless the chain is suanli-bench)");
  // `suanlid backup ...` and `suanlid restore ...` take the node's options
  // (to find its data directory, genesis and RPC) and their own.
  const std::string command = argc > 1 ? argv[1] : "";
  const bool tool = command == "backup" || command == "restore";
  if (tool) {
    desc.add_options()("to", po::value<std::string>(), "backup: the new backup directory")(
        "from", po::value<std::string>(), "restore: the backup directory")(
        "json", "print the backup's description as JSON");
    --argc;
    ++argv;
  }
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "suanlid: %s\n", e.what());
    std::cerr << desc;
    return kExitUsage;
  }
  if (vm.count("help")) {
    std::cout << "usage: suanlid --config node.json | suanlid backup --config node.json --to DIR\n"
                 "       | suanlid restore --config node.json --from DIR\n\n"
              << desc;
    return 0;
  }
  if (vm.count("version")) {
    std::printf("suanlid %s\n", SUANLI_VERSION);
    return 0;
  }
  ledger::crypto_init();
  std::string error;
  std::vector<std::string> required = {"data-dir", "genesis", "key", "listen"};
  if (command == "backup") required = {"data-dir", "genesis"};
  if (command == "restore") required = {"data-dir", "genesis", "key", "node-id"};
  auto config = node_cli::load_config(vm, required, &error);
  if (!config) {
    std::fprintf(stderr, "suanlid: %s\n", error.c_str());
    return kExitUsage;
  }
  node_cli::setup_logging(config->log_level, tool ? "warn" : "");
  if (command == "backup") return node_cli::run_backup(vm, *config);
  if (command == "restore") return node_cli::run_restore(vm, *config);
  Tuning tuning{vm["snapshot-interval"].as<uint64_t>(), vm["snapshot-keep"].as<uint64_t>(),
                vm.count("bench-no-signatures") > 0, vm["block-interval-ms"].as<uint32_t>()};
  if (tuning.snapshot_interval < 100 || tuning.snapshot_interval > 10000000 ||
      tuning.snapshot_keep < 10 || tuning.snapshot_keep > 10000000) {
    std::fprintf(stderr,
                 "suanlid: --snapshot-interval must be 100..10000000 and "
                 "--snapshot-keep 10..10000000\n");
    return kExitUsage;
  }
  if (tuning.block_interval_ms > 1000) {
    std::fprintf(stderr, "suanlid: --block-interval-ms must be 0..1000\n");
    return kExitUsage;
  }
  return run(*config, tuning);
}
