// key new | list | show | import
#include <sodium.h>

#include <iostream>

#include "common/random.h"
#include "genesis/node_config.h"
#include "wallet/cli.h"
#include "wallet/secure_file.h"
#include "wallet/table.h"

namespace suanli::wallet {
namespace po = boost::program_options;
namespace {

void wipe_key(ledger::KeyPair& key) {
  sodium_memzero(key.seed.data(), key.seed.size());
  sodium_memzero(key.secret.data(), key.secret.size());
}

nlohmann::json info_json(const KeyInfo& i) {
  return {{"name", i.name},
          {"pubkey", to_hex(i.pubkey)},
          {"path", i.path},
          {"kdf", {{"name", "argon2id13"}, {"opslimit", i.opslimit}, {"memlimit", i.memlimit}}}};
}

void print_info(const Context& ctx, const KeyInfo& i) {
  if (ctx.json()) return print_json(info_json(i));
  Fields f;
  f.add("name", i.name);
  f.add("pubkey", to_hex(i.pubkey));
  f.add("file", i.path);
  f.add("kdf", "Argon2id, " + std::to_string(i.opslimit) + " passes, " +
                   std::to_string(i.memlimit / 1024) + " KiB; XChaCha20-Poly1305");
  std::cout << f.render();
}

// Stores `key` under `name` (asking for the password twice at a prompt).
int store(const Context& ctx, const std::string& name, ledger::KeyPair& key) {
  if (!is_key_name(name)) {
    wipe_key(key);
    usage_error("NAME '" + name + "' must be 1..64 of A-Z a-z 0-9 . _ - and not start with '.'");
  }
  if (ctx.keystore().info(name)) {
    wipe_key(key);
    usage_error("a key named '" + name + "' already exists in " + ctx.keystore().dir());
  }
  std::string pw = ctx.password(true);
  Status s = ctx.keystore().create(name, key, pw, kdf_cost_from_env());
  wipe(pw);
  wipe_key(key);
  if (!s) failure(s.message());
  auto info = ctx.keystore().info(name);
  if (!info) failure(info.status().message());
  print_info(ctx, *info);
  return kExitOk;
}

int key_new(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("key new");
  po::variables_map vm;
  if (!parse_args(args, "key new NAME", desc, {"NAME"}, vm)) return kExitOk;
  ledger::KeyPair key = ledger::keypair_from_seed(random_seed32());
  return store(ctx, vm["NAME"].as<std::string>(), key);
}

int key_import(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("key import");
  po::variables_map vm;
  if (!parse_args(args, "key import NAME FILE   (FILE: {\"pubkey\", \"seed\"}, mode 0600)", desc,
                  {"NAME", "FILE"}, vm)) {
    return kExitOk;
  }
  auto key = genesis::load_node_key(vm["FILE"].as<std::string>());
  if (!key) usage_error("FILE: " + key.status().message());
  return store(ctx, vm["NAME"].as<std::string>(), *key);
}

int key_list(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("key list");
  po::variables_map vm;
  if (!parse_args(args, "key list", desc, {}, vm)) return kExitOk;
  auto keys = ctx.keystore().list();
  if (!keys) failure(keys.status().message());
  if (ctx.json()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& k : *keys) arr.push_back(info_json(k));
    print_json(arr);
    return kExitOk;
  }
  if (keys->empty()) {
    std::cout << "no keys in " << ctx.keystore().dir() << " (suanli-wallet key new NAME)\n";
    return kExitOk;
  }
  Table t({"NAME", "PUBKEY"});
  for (const auto& k : *keys) t.add({k.name, to_hex(k.pubkey)});
  std::cout << t.render();
  return kExitOk;
}

int key_show(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("key show");
  po::variables_map vm;
  if (!parse_args(args, "key show NAME", desc, {"NAME"}, vm)) return kExitOk;
  auto info = ctx.keystore().info(vm["NAME"].as<std::string>());
  if (!info) usage_error("NAME: " + info.status().message());
  print_info(ctx, *info);
  return kExitOk;
}

}  // namespace

void add_key_commands(std::vector<Command>& out) {
  out.push_back({{"key", "new"}, "create a key in the keystore", key_new});
  out.push_back({{"key", "list"}, "list the keystore's keys", key_list});
  out.push_back({{"key", "show"}, "a key's public key and file", key_show});
  out.push_back({{"key", "import"}, "import a {\"pubkey\",\"seed\"} key file", key_import});
}

}  // namespace suanli::wallet
