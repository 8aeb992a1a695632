// suanli-codec-bench: what decoding a transaction costs against verifying its
// signature, on one thread, for the transfers suanli-bench sends.
//
// Usage: suanli-codec-bench [--txs N] [--rounds N]
// Prints one line per operation: microseconds per transaction and the ratio
// to one Ed25519 verification measured in the same run.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ledger/codec.h"
#include "ledger/crypto.h"

using namespace suanli;
using namespace suanli::ledger;

namespace {

std::vector<Tx> make_transfers(size_t n) {
  std::vector<Tx> txs;
  txs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::array<uint8_t, 32> seed{};
    std::memcpy(seed.data(), &i, sizeof(i));
    seed[31] = 0x42;
    KeyPair from = keypair_from_seed(seed);
    seed[30] = 0x17;
    KeyPair to = keypair_from_seed(seed);
    Tx tx;
    tx.chain_id = "suanli-bench";
    tx.type = TxType::kTransfer;
    tx.signer = from.pubkey;
    std::memcpy(tx.nonce.data(), &i, sizeof(i));
    tx.expires_at = 1767225600000 + 3600000;
    tx.payload = Transfer{to.pubkey, 1 + i % 1000, "bench"};
    sign_tx(tx, from.seed);
    txs.push_back(std::move(tx));
  }
  return txs;
}

template <typename F>
double micros_per_item(size_t items, size_t rounds, F&& f) {
  auto start = std::chrono::steady_clock::now();
  size_t sink = 0;
  for (size_t r = 0; r < rounds; ++r) sink += f();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (sink == 42) std::printf(" ");  // keep the work
  return secs * 1e6 / static_cast<double>(items * rounds);
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 2000, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--txs") {
      n = std::stoul(argv[i + 1]);
    } else if (flag == "--rounds") {
      rounds = std::stoul(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: suanli-codec-bench [--txs N] [--rounds N]\n");
      return 2;
    }
  }
  if (n == 0 || rounds == 0) {
    std::fprintf(stderr, "--txs and --rounds must be at least 1\n");
    return 2;
  }
  crypto_init();
  std::vector<Tx> txs = make_transfers(n);
  // An RPC request as the wallet sends it: the transaction inside params.
  std::vector<std::string> requests;
  for (const auto& tx : txs) {
    requests.push_back(R"({"jsonrpc":"2.0","id":1,"method":"tx_submit","params":{"tx":)" +
                       tx.canonical + "}}");
  }

  double verify = micros_per_item(n, 1, [&] {
    size_t ok = 0;
    for (const auto& tx : txs) ok += verify_tx(tx) ? 1 : 0;
    return ok;
  });
  std::printf("%-40s %8.2f us  (1.00 of a verification)\n", "Ed25519 verify", verify);
  auto line = [&](const char* what, double us) {
    std::printf("%-40s %8.2f us  (%.3f of a verification)\n", what, us, us / verify);
  };
  line("decode_tx(canonical text)", micros_per_item(n, rounds, [&] {
         size_t ok = 0;
         for (const auto& tx : txs) ok += decode_tx(tx.canonical).index() == 0 ? 1 : 0;
         return ok;
       }));
  line("decode_tx(canonical text, kNone)", micros_per_item(n, rounds, [&] {
         size_t ok = 0;
         for (const auto& tx : txs) {
           ok += decode_tx(tx.canonical, DecodeCheck::kNone).index() == 0 ? 1 : 0;
         }
         return ok;
       }));
  line("parse_strict(canonical text)", micros_per_item(n, rounds, [&] {
         size_t ok = 0;
         std::string error;
         for (const auto& tx : txs) ok += parse_strict(tx.canonical, &error) ? 1 : 0;
         return ok;
       }));
  line("RPC request: parse_strict_all + decode_tx", micros_per_item(n, rounds, [&] {
         size_t ok = 0;
         std::string error;
         for (const auto& body : requests) {
           auto doc = parse_strict_all(body, &error);
           auto d = decode_tx(doc->value["params"]["tx"],
                              anomaly_within(doc->anomalies, "params.tx"));
           ok += d.index() == 0 ? 1 : 0;
         }
         return ok;
       }));
  std::vector<nlohmann::json> values;
  for (const auto& tx : txs) values.push_back(nlohmann::json::parse(tx.canonical));
  line("jcs(value)", micros_per_item(n, rounds, [&] {
         size_t bytes = 0;
         for (const auto& v : values) bytes += jcs(v).size();
         return bytes;
       }));
  line("jcs(tx_to_json(tx))", micros_per_item(n, rounds, [&] {
         size_t bytes = 0;
         for (const auto& tx : txs) bytes += jcs(tx_to_json(tx, true)).size();
         return bytes;
       }));
  line("blake2b256(signing message)", micros_per_item(n, rounds, [&] {
         size_t x = 0;
         for (const auto& tx : txs) x += blake2b256(tx.signing_message)[0];
         return x;
       }));
  return 0;
}
