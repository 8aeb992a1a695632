// One command per transaction type, and `tx send` / `tx get`.
#include <sodium.h>

#include <chrono>
#include <iostream>
#include <iterator>
#include <thread>

#include "ledger/codec.h"
#include "ledger/ledger.h"
#include "wallet/cli.h"
#include "wallet/secure_file.h"
#include "wallet/table.h"
#include "wallet/tx_build.h"

namespace suanli::wallet {
namespace po = boost::program_options;
namespace {

using json = nlohmann::json;

constexpr uint64_t kTxValidityMs = 600000;  // well inside the devnet's max_tx_validity_ms
constexpr int kSubmitRetries = 50;          // no_leader / busy: 50 x 200 ms
constexpr int kJsonRpcNoLeader = -32010;
constexpr int kJsonRpcBusy = -32006;
constexpr size_t kTxFileBytesMax = 64 * 1024;

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// "payload.unit_price" -> "--unit-price"; "payload.vouchers[0].amount" -> "--voucher".
std::string flag_for_field(const std::string& field) {
  std::string f = field.rfind("payload.", 0) == 0 ? field.substr(8) : field;
  if (f.rfind("vouchers", 0) == 0) return "--voucher";
  if (f.rfind("resource.", 0) == 0) f = f.substr(9);
  if (f.empty() || f == "payload") return "the transaction";
  return flag_of(f);
}

std::string describe_result(const json& r) {
  const json& res = r.value("result", json::object());
  return res.value("error", std::string("?")) + ": " + res.value("message", std::string());
}

// Submits and prints the outcome; returns the exit status.
int submit(const Context& ctx, const json& tx, bool wait, const std::string& extra) {
  json params = {{"tx", tx}, {"wait", wait ? "committed" : "none"}};
  if (wait) params["timeout_ms"] = 30000;
  RpcReply r;
  for (int attempt = 0;; ++attempt) {
    r = ctx.call("tx_submit", params, true);
    // A node whose disk refuses writes stays so until someone frees space:
    // say so at once rather than after the retries.
    const bool storage = r.error_data.is_object() && r.error_data.value("reason", "") == "storage";
    bool retry = !r.ok && !storage &&
                 (r.error_code == kJsonRpcNoLeader || r.error_code == kJsonRpcBusy);
    if (!retry || attempt + 1 >= kSubmitRetries) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (!r.ok) {
    if (ctx.json()) {
      print_json(
          {{"error",
            {{"code", r.error_code}, {"message", r.error_message}, {"data", r.error_data}}}});
    }
    std::string data = r.error_data.is_null() ? "" : " " + r.error_data.dump();
    failure("the node refused the transaction: error " + std::to_string(r.error_code) + " " +
            r.error_message + data);
  }
  const json& res = r.result;
  bool rejected = res.contains("result") && !res["result"].value("ok", false);
  if (ctx.json()) {
    print_json(res);
  } else if (res.value("status", "") == "committed" && !rejected) {
    std::cout << "✓ committed in block " << res.value("height", 0) << ": tx "
              << res.value("tx_hash", "") << "\n"
              << extra;
  } else if (!rejected) {
    std::cout << "submitted: tx " << res.value("tx_hash", "") << " (" << res.value("status", "")
              << "; suanli-wallet tx get HASH tells the outcome)\n"
              << extra;
  }
  if (rejected) {
    std::cerr << "suanli-wallet: rejected in block " << res.value("height", 0) << ": "
              << describe_result(res) << " (tx " << res.value("tx_hash", "") << ")\n";
    return kExitFailed;
  }
  return kExitOk;
}

// What to show besides the hash: the ids a later command needs.
std::string extra_lines(const ledger::Tx& tx) {
  if (tx.type == ledger::TxType::kContractCreate) {
    return "  contract " + to_hex(tx.as<ledger::ContractCreate>().contract_id) + "\n";
  }
  if (tx.type == ledger::TxType::kVoucherIssue) {
    return "  voucher " + to_hex(ledger::voucher_id_for(tx.as<ledger::ContractRef>().contract_id)) +
           "\n";
  }
  if (tx.type == ledger::TxType::kNodePropose || tx.type == ledger::TxType::kRegulatorPropose) {
    return "  proposal " + to_hex(tx.hash) + "\n";
  }
  return "";
}

std::string chain_id(const Context& ctx, const po::variables_map& vm, bool offline) {
  if (vm.count("chain-id")) return vm["chain-id"].as<std::string>();
  if (offline) return "suanli-devnet";
  RpcReply r = ctx.call("chain_genesis", json::object());
  return r.result.at("genesis").at("chain_id").get<std::string>();
}

int run_tx(const TxSpec& spec, Context& ctx, const std::vector<std::string>& args) {
  std::string words(ledger::tx_type_name(spec.type));
  for (char& c : words) c = c == '_' ? ' ' : c;
  po::options_description desc(words);
  desc.add_options()("from", po::value<std::string>()->required(), "the signing key's name")(
      "wait", po::bool_switch(), "wait until the transaction is committed (and its result)")(
      "offline", po::bool_switch(), "print the signed transaction JSON instead of sending it")(
      "fen", po::bool_switch(), "money flags are in fen, not yuan")(
      "chain-id", po::value<std::string>(),
      "chain id (default: the node's; suanli-devnet with --offline)");
  add_field_options(spec, desc);
  po::variables_map vm;
  if (!parse_args(args, words + " --from NAME [FLAGS]", desc, {}, vm)) return kExitOk;
  bool offline = vm["offline"].as<bool>();
  std::string from = vm["from"].as<std::string>();
  auto info = ctx.keystore().info(from);
  if (!info) usage_error("--from: " + info.status().message());
  json payload = build_payload(ctx, spec, vm, vm["fen"].as<bool>());

  Id16 nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  json unsigned_tx = {{"chain_id", chain_id(ctx, vm, offline)},
                      {"type", std::string(ledger::tx_type_name(spec.type))},
                      {"signer", to_hex(info->pubkey)},
                      {"nonce", to_hex(nonce)},
                      {"expires_at", now_ms() + kTxValidityMs},
                      {"payload", payload},
                      {"signature", std::string(128, '0')}};
  // The ledger's own decoder checks every field before anything is signed.
  auto decoded = ledger::decode_tx(unsigned_tx.dump());
  if (auto* e = std::get_if<ledger::TxError>(&decoded)) {
    usage_error(flag_for_field(e->field) + ": " + e->message);
  }
  ledger::Tx tx = std::get<ledger::Tx>(std::move(decoded));
  ledger::KeyPair key = ctx.unlock(from);
  ledger::sign_tx(tx, key.seed);
  sodium_memzero(key.seed.data(), key.seed.size());
  sodium_memzero(key.secret.data(), key.secret.size());
  if (offline) {
    std::cout << tx.canonical << "\n";
    return kExitOk;
  }
  return submit(ctx, json::parse(tx.canonical), vm["wait"].as<bool>(), extra_lines(tx));
}

int tx_send(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("tx send");
  desc.add_options()("wait", po::bool_switch(), "wait until the transaction is committed");
  po::variables_map vm;
  if (!parse_args(args, "tx send FILE|-  (a signed transaction, e.g. from --offline)", desc,
                  {"FILE"}, vm)) {
    return kExitOk;
  }
  std::string file = vm["FILE"].as<std::string>();
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (text.size() > kTxFileBytesMax) usage_error("-: the transaction is over 64 KiB");
  } else {
    auto r = read_small_file(file, kTxFileBytesMax, false);
    if (!r) usage_error("FILE: " + r.status().message());
    text = std::move(*r);
  }
  auto decoded = ledger::decode_tx(text);
  if (auto* e = std::get_if<ledger::TxError>(&decoded)) {
    usage_error(file + ": not a valid transaction: " + (e->field.empty() ? "" : e->field + ": ") +
                e->message);
  }
  const ledger::Tx& tx = std::get<ledger::Tx>(decoded);
  if (!ledger::verify_tx(tx)) usage_error(file + ": the signature does not verify");
  return submit(ctx, json::parse(text), vm["wait"].as<bool>(), extra_lines(tx));
}

int tx_get(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("tx get");
  po::variables_map vm;
  if (!parse_args(args, "tx get HASH", desc, {"HASH"}, vm)) return kExitOk;
  std::string hash = vm["HASH"].as<std::string>();
  auto h = from_hex_array<32>(hash);
  if (!h || to_hex(*h) != hash) usage_error("HASH: '" + hash + "' must be 64 lowercase hex");
  RpcReply r = ctx.call("tx_get", {{"tx_hash", hash}});
  const json& res = r.result;
  if (ctx.json()) {
    print_json(res);
    return kExitOk;
  }
  Fields f;
  f.add("tx", hash);
  f.add("type", res["tx"].value("type", ""));
  f.add("signer", ctx.party_name(res["tx"].value("signer", "")));
  f.add("status", res.value("status", ""));
  if (res.contains("height")) {
    f.add("block", std::to_string(res["height"].get<uint64_t>()) + " (index " +
                       std::to_string(res.value("index", 0)) + ")");
  }
  if (res.contains("result")) {
    f.add("result", res["result"].value("ok", false) ? "ok" : describe_result(res));
  }
  std::cout << f.render();
  return kExitOk;
}

}  // namespace

void add_tx_commands(std::vector<Command>& out) {
  for (const TxSpec& spec : tx_specs()) {
    std::string name(ledger::tx_type_name(spec.type));
    std::vector<std::string> words;
    for (size_t start = 0;;) {
      size_t us = name.find('_', start);
      words.push_back(name.substr(start, us - start));
      if (us == std::string::npos) break;
      start = us + 1;
    }
    out.push_back({words, "sign and send a " + name + " transaction",
                   [&spec](Context& ctx, const std::vector<std::string>& args) {
                     return run_tx(spec, ctx, args);
                   }});
  }
  out.push_back({{"tx", "send"}, "send a signed transaction (FILE or - for stdin)", tx_send});
  out.push_back({{"tx", "get"}, "a transaction's status and result", tx_get});
}

}  // namespace suanli::wallet
