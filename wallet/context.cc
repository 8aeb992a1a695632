// Context: what every command shares (node, keystore, password, output mode).
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "wallet/cli.h"
#include "wallet/secure_file.h"

namespace suanli::wallet {
namespace po = boost::program_options;
namespace {

constexpr size_t kPasswordBytesMax = 1024;

void strip_line_end(std::string& s) {
  size_t nl = s.find_first_of("\r\n");
  if (nl != std::string::npos) s.resize(nl);
}

// Reads one line from the terminal with echo off. Empty optional when there
// is no terminal.
std::optional<std::string> prompt_no_echo(const std::string& prompt) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) return std::nullopt;
  int fd = ::fileno(tty);
  termios old{};
  bool restore = ::tcgetattr(fd, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::fputs(prompt.c_str(), tty);
  std::fflush(tty);
  std::string line;
  for (int c = std::fgetc(tty); c != EOF && c != '\n' && line.size() < kPasswordBytesMax;
       c = std::fgetc(tty)) {
    line.push_back(static_cast<char>(c));
  }
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
  std::fputs("\n", tty);
  std::fclose(tty);
  strip_line_end(line);
  return line;
}

}  // namespace

void usage_error(const std::string& message) { throw CliError(kExitUsage, message); }
void failure(const std::string& message) { throw CliError(kExitFailed, message); }

Context::Context(GlobalOptions options)
    : options_(std::move(options)), keystore_(options_.keystore), rpc_(options_.node) {}

RpcReply Context::call(const std::string& method, const nlohmann::json& params,
                       bool allow_error) const {
  auto r = rpc_.call(method, params);
  if (!r) failure("cannot reach the node at " + options_.node + ": " + r.status().message());
  if (!r->ok && !allow_error) {
    std::string data = r->error_data.is_null() ? "" : " " + r->error_data.dump();
    failure(method + ": error " + std::to_string(r->error_code) + ": " + r->error_message + data);
  }
  return *r;
}

std::string Context::password(bool confirm) const {
  std::string pw;
  if (!options_.password_file.empty()) {
    auto text = read_small_file(options_.password_file, kPasswordBytesMax, false);
    if (!text) usage_error("--password-file: " + text.status().message());
    pw = std::move(*text);
    strip_line_end(pw);
  } else if (const char* env = std::getenv("SUANLI_WALLET_PASSWORD"); env != nullptr) {
    pw = env;
  } else {
    auto first = prompt_no_echo("keystore password: ");
    if (!first) {
      usage_error(
          "no password: give --password-file FILE or set SUANLI_WALLET_PASSWORD "
          "(there is no terminal to ask on)");
    }
    pw = std::move(*first);
    if (confirm) {
      auto again = prompt_no_echo("repeat the password: ");
      bool same = again && *again == pw;
      if (again) wipe(*again);
      if (!same) usage_error("the two passwords differ");
    }
  }
  if (pw.empty()) usage_error("the keystore password is empty");
  return pw;
}

ledger::KeyPair Context::unlock(const std::string& name) const {
  auto info = keystore_.info(name);
  if (!info) usage_error("--from: " + info.status().message());
  std::string pw = password(false);
  auto key = keystore_.unlock(name, pw);
  wipe(pw);
  if (!key) failure(key.status().message());
  return *key;
}

PubKey Context::resolve_party(const std::string& flag, const std::string& text) const {
  if (auto pk = from_hex_array<32>(text); pk && text == to_hex(*pk)) return *pk;
  if (is_key_name(text)) {
    auto info = keystore_.info(text);
    if (info) return info->pubkey;
  }
  usage_error(flag + ": '" + text + "' is neither a 64-hex lowercase public key nor a key in " +
              keystore_.dir());
}

std::string Context::party_name(const std::string& pubkey_hex) const {
  auto it = names_.find(pubkey_hex);
  if (it != names_.end()) return it->second;
  std::string name = pubkey_hex.substr(0, 12) + "…";
  auto r = rpc_.call("participant_get", {{"pubkey", pubkey_hex}});
  if (r && r->ok && r->result.contains("name")) name = r->result["name"].get<std::string>();
  names_[pubkey_hex] = name;
  return name;
}

bool parse_args(const std::vector<std::string>& args, const std::string& usage,
                const po::options_description& desc, const std::vector<std::string>& positional,
                po::variables_map& vm) {
  po::options_description all;
  all.add(desc);
  all.add_options()("help,h", "show this help");
  // Positional arguments ("NAME", or "PERIOD?" when optional) are declared as
  // options too, hidden from --help.
  po::positional_options_description pos;
  po::options_description hidden;
  std::vector<std::string> required;
  for (std::string p : positional) {
    if (p.back() == '?') {
      p.pop_back();
    } else {
      required.push_back(p);
    }
    hidden.add_options()(p.c_str(), po::value<std::string>());
    pos.add(hidden.options().back()->long_name().c_str(), 1);
  }
  po::options_description parse_with;
  parse_with.add(all).add(hidden);
  try {
    po::store(po::command_line_parser(args).options(parse_with).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: suanli-wallet " << usage << "\n\n" << all;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    usage_error(std::string(e.what()) + "\nusage: suanli-wallet " + usage);
  }
  for (const auto& p : required) {
    if (!vm.count(p)) usage_error("missing " + p + "\nusage: suanli-wallet " + usage);
  }
  return true;
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

}  // namespace suanli::wallet
