// suanli-genesis: writes genesis documents and development networks.
//
//   suanli-genesis devnet --nodes N --out DIR [--chain-id ID] [--base-port P]
//                         [--rpc-base-port R] [--genesis-time MS]
//   suanli-genesis key --out FILE [--json]      a new node key file (mode 0600)
//
// Exit status: 0 on success, 1 when writing failed, 2 for bad usage.
#include <boost/program_options.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/money.h"
#include "common/random.h"
#include "genesis/devnet.h"
#include "genesis/node_config.h"
#include "ledger/crypto.h"

namespace po = boost::program_options;

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

const char* kUsage =
    "usage: suanli-genesis devnet --nodes N --out DIR [--chain-id ID] [--base-port P]\n"
    "                             [--rpc-base-port R] [--genesis-time MS]\n"
    "\n"
    "Writes DIR/genesis.json, node keys and configs (DIR/<node_id>.key.json,\n"
    "DIR/<node_id>.json) and encrypted wallet keystores for the demo participants\n"
    "(DIR/keystore/<name>.json; their password, for demos only, is in\n"
    "DIR/keystore-password.DEMO-ONLY.txt).\n"
    "Node i (1-based) listens for peers on 127.0.0.1:P+i and serves JSON-RPC on\n"
    "127.0.0.1:R+i (defaults P=7600, R=8644: node 1 is 7601 and 8645).\n"
    "\n"
    "       suanli-genesis key --out FILE [--json]\n"
    "\n"
    "Writes a new node key file (mode 0600; an existing file is never replaced) and\n"
    "prints its public key, for the genesis `nodes` or a node_propose.\n";

void print_summary(const suanli::genesis::DevnetResult& r) {
  const auto& g = r.genesis;
  std::printf("devnet %s: %zu node(s), %zu participants\n", g.chain_id.c_str(), g.nodes.size(),
              g.participants.size());
  std::printf("genesis  %s\n  hash    %s\n", r.genesis_path.c_str(),
              suanli::to_hex(g.hash).c_str());
  for (const auto& n : r.nodes) {
    std::printf("node     %-6s peer %-16s rpc %-16s %s\n", n.node_id.c_str(), n.listen.c_str(),
                n.rpc.c_str(), n.config_path.c_str());
  }
  for (const auto& p : r.participants) {
    const auto& q = p.participant;
    std::string role(suanli::ledger::role_name(q.role));
    std::printf("key      %-18s %-9s %s %s %s\n", p.key_name.c_str(), role.c_str(),
                q.province.c_str(), suanli::format_yuan(static_cast<int64_t>(q.balance)).c_str(),
                q.name.c_str());
  }
  std::string dir = r.genesis_path.substr(0, r.genesis_path.rfind('/'));
  std::printf("wallet   suanli-wallet --keystore %s/%s --password-file %s/%s ...\n", dir.c_str(),
              suanli::genesis::kDevnetKeystoreDir, dir.c_str(),
              suanli::genesis::kDevnetPasswordFile);
  std::printf("         (a demo password in the clear: never use these keys for real money)\n");
  if (!r.nodes.empty()) {
    std::printf("start    suanlid --config %s\n", r.nodes.front().config_path.c_str());
  }
}

int run_devnet(const std::vector<std::string>& args) {
  suanli::genesis::DevnetOptions options;
  int base_port = options.base_port;
  int rpc_base_port = options.rpc_base_port;
  po::options_description desc("devnet options");
  desc.add_options()("help,h", "show this help")(
      "nodes", po::value<int>(&options.nodes)->required(), "number of nodes (1..32)")(
      "out", po::value<std::string>(&options.out_dir)->required(), "output directory")(
      "chain-id", po::value<std::string>(&options.chain_id), "chain id (suanli-devnet)")(
      "base-port", po::value<int>(&base_port), "peer ports are P+1, P+2, ... (7600)")(
      "rpc-base-port", po::value<int>(&rpc_base_port), "RPC ports are R+1, R+2, ... (8644)")(
      "genesis-time", po::value<uint64_t>(&options.genesis_time),
      "genesis_time in ms since the epoch (now)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help")) {
      std::cout << kUsage << "\n" << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "suanli-genesis: %s\n%s", e.what(), kUsage);
    return kExitUsage;
  }
  if (base_port < 1 || base_port > 65535 || rpc_base_port < 1 || rpc_base_port > 65535) {
    std::fprintf(stderr, "suanli-genesis: ports must be 1..65535\n");
    return kExitUsage;
  }
  options.base_port = static_cast<uint16_t>(base_port);
  options.rpc_base_port = static_cast<uint16_t>(rpc_base_port);
  auto result = suanli::genesis::write_devnet(options);
  if (!result) {
    std::fprintf(stderr, "suanli-genesis: %s\n", result.status().to_string().c_str());
    return result.status().code() == "invalid_argument" ? kExitUsage : kExitFailure;
  }
  print_summary(*result);
  return 0;
}

int run_key(const std::vector<std::string>& args) {
  po::options_description desc("key options");
  std::string out;
  desc.add_options()("out", po::value<std::string>(&out)->required(), "the key file to write")(
      "json", "print {\"pubkey\", \"file\"} as JSON");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "suanli-genesis key: %s\n%s", e.what(), kUsage);
    return kExitUsage;
  }
  const auto key = suanli::ledger::keypair_from_seed(suanli::random_seed32());
  suanli::Status s = suanli::genesis::write_node_key(out, key);
  if (!s) {
    std::fprintf(stderr, "suanli-genesis key: %s\n", s.to_string().c_str());
    return kExitFailure;
  }
  const std::string pubkey = suanli::to_hex(key.pubkey);
  if (vm.count("json")) {
    std::printf("%s\n", nlohmann::json{{"pubkey", pubkey}, {"file", out}}.dump().c_str());
  } else {
    std::printf("node key written to %s (mode 0600)\npubkey %s\n", out.c_str(), pubkey.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  suanli::ledger::crypto_init();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : 0;
  }
  if (args[0] == "key") {
    args.erase(args.begin());
    return run_key(args);
  }
  if (args[0] != "devnet") {
    std::fprintf(stderr, "suanli-genesis: unknown command '%s'\n%s", args[0].c_str(), kUsage);
    return kExitUsage;
  }
  args.erase(args.begin());
  try {
    return run_devnet(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "suanli-genesis: %s\n", e.what());
    return kExitFailure;
  }
}
