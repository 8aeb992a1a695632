// run_wallet: global options, command lookup and exit codes.
#include "wallet/cli.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "ledger/crypto.h"

namespace suanli::wallet {
namespace po = boost::program_options;
namespace {

std::string default_keystore() {
  if (const char* v = std::getenv("SUANLI_KEYSTORE"); v != nullptr && *v != '\0') return v;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.suanli/keystore";
}

std::string default_node() {
  if (const char* v = std::getenv("SUANLI_NODE"); v != nullptr && *v != '\0') return v;
  return "http://127.0.0.1:8645";
}

po::options_description global_options(GlobalOptions& g) {
  po::options_description desc("global options (before or after the command)");
  desc.add_options()("node", po::value<std::string>(&g.node),
                     "JSON-RPC endpoint (default $SUANLI_NODE or http://127.0.0.1:8645)")(
      "keystore", po::value<std::string>(&g.keystore),
      "keystore directory (default $SUANLI_KEYSTORE or ~/.suanli/keystore)")(
      "password-file", po::value<std::string>(&g.password_file),
      "read the keystore password from FILE (else $SUANLI_WALLET_PASSWORD, else a prompt)")(
      "json", po::bool_switch(&g.json), "machine-readable JSON output");
  return desc;
}

std::string usage_text(const std::vector<Command>& commands, const po::options_description& g) {
  std::string out =
      "usage: suanli-wallet [--node URL] [--keystore DIR] [--json] COMMAND [ARGS] [FLAGS]\n"
      "       suanli-wallet COMMAND --help   (the command's flags)\n\ncommands:\n";
  for (const auto& c : commands) {
    std::string words;
    for (const auto& w : c.words) words += (words.empty() ? "" : " ") + w;
    out += "  " + words + std::string(words.size() < 22 ? 22 - words.size() : 1, ' ') + c.summary +
           "\n";
  }
  std::ostringstream os;
  os << g;
  out += "\n" + os.str() +
         "\nExit status: 0 success; 1 the ledger rejected the transaction or the node "
         "returned an error; 2 bad usage.\n";
  return out;
}

// The command whose words are the longest prefix of `words`.
const Command* find_command(const std::vector<Command>& commands,
                            const std::vector<std::string>& words, size_t& used) {
  const Command* best = nullptr;
  used = 0;
  for (const auto& c : commands) {
    if (c.words.size() > words.size() || c.words.size() <= used) continue;
    if (std::equal(c.words.begin(), c.words.end(), words.begin())) {
      best = &c;
      used = c.words.size();
    }
  }
  return best;
}

int dispatch(int argc, char** argv) {
  std::vector<Command> commands;
  add_key_commands(commands);
  add_tx_commands(commands);
  add_query_commands(commands);
  GlobalOptions g;
  po::options_description desc = global_options(g);
  desc.add_options()("help,h", "show this help");
  std::vector<std::string> rest;
  po::variables_map vm;
  try {
    // Global options anywhere; everything else (command words, the command's
    // flags and arguments, in order) is left for the command.
    auto parsed = po::command_line_parser(argc, argv).options(desc).allow_unregistered().run();
    po::store(parsed, vm);
    po::notify(vm);
    rest = po::collect_unrecognized(parsed.options, po::include_positional);
  } catch (const po::error& e) {
    usage_error(e.what());
  }
  std::vector<std::string> words;
  for (const auto& a : rest) {
    if (a.empty() || a[0] == '-') break;
    words.push_back(a);
  }
  if (words.empty()) {
    std::string text = usage_text(commands, global_options(g));
    if (vm.count("help")) {
      std::cout << text;
      return kExitOk;
    }
    usage_error("no command given\n" + text);
  }
  size_t used = 0;
  const Command* c = find_command(commands, words, used);
  if (c == nullptr) {
    usage_error("unknown command '" + words[0] + (words.size() > 1 ? " " + words[1] : "") +
                "' (suanli-wallet --help lists the commands)");
  }
  if (vm.count("help")) rest.push_back("--help");
  if (g.node.empty()) g.node = default_node();
  if (g.keystore.empty()) g.keystore = default_keystore();
  Context ctx(g);
  return c->run(ctx, std::vector<std::string>(rest.begin() + static_cast<long>(used), rest.end()));
}

}  // namespace

int run_wallet(int argc, char** argv) {
  ledger::crypto_init();
  try {
    return dispatch(argc, argv);
  } catch (const CliError& e) {
    std::fprintf(stderr, "suanli-wallet: %s\n", e.what());
    return e.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "suanli-wallet: %s\n", e.what());
    return kExitFailed;
  }
}

}  // namespace suanli::wallet
