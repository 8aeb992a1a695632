// suanli-ledger-bench: the ledger's apply rate on one thread, without
// signature verification (that runs in node/'s pool), on the in-memory store
// and on RocksDB (one synced WriteBatch per block).
//
// Usage: suanli-ledger-bench [--txs N] [--accounts N] [--block N] [--dir DIR]
// Prints one line per store: applied transactions per second.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/mem_kv.h"
#include "node/storage/state_store.h"

using namespace suanli;
using namespace suanli::ledger;

namespace {

struct Options {
  size_t txs = 100000, accounts = 1000, block = 1000;
  std::string dir = "/tmp/suanli-ledger-bench";
};

KeyPair key_for(size_t i) {
  std::array<uint8_t, 32> seed{};
  std::memcpy(seed.data(), &i, sizeof(i));
  seed[31] = 0x42;
  return keypair_from_seed(seed);
}

Genesis make_genesis(const std::vector<KeyPair>& keys) {
  Genesis g;
  g.chain_id = "suanli-bench";
  g.genesis_time = 1767225600000;
  for (size_t i = 0; i < keys.size(); ++i) {
    g.participants.push_back(GenesisParticipant{keys[i].pubkey, i == 0 ? Role::kRegulator
                                                                       : Role::kBuyer,
                                                "CN-GZ", "bench", "91520000000000100X", "",
                                                1000000000});
  }
  g.hash = blake2b256("bench");
  return g;
}

// Transfers between random buyers; signed once up front (not measured).
std::vector<Tx> make_txs(const Options& o, const std::vector<KeyPair>& keys) {
  std::vector<Tx> txs;
  txs.reserve(o.txs);
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < o.txs; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    size_t from = 1 + x % (keys.size() - 1);
    size_t to = 1 + (x >> 20) % (keys.size() - 1);
    if (to == from) to = from % (keys.size() - 1) + 1;
    Tx tx;
    tx.chain_id = "suanli-bench";
    tx.type = TxType::kTransfer;
    tx.signer = keys[from].pubkey;
    std::memcpy(tx.nonce.data(), &i, sizeof(i));
    tx.expires_at = 1767225600000 + 3600000;
    tx.payload = Transfer{keys[to].pubkey, 1 + x % 1000, ""};
    sign_tx(tx, keys[from].seed);
    txs.push_back(std::move(tx));
  }
  return txs;
}

template <typename Store, typename Commit>
double run(Store& store, const Genesis& g, const std::vector<Tx>& txs, size_t block_size,
           Commit commit) {
  commit(store, genesis_writes(g));
  Hash32 hash = g.hash;
  auto start = std::chrono::steady_clock::now();
  uint64_t height = 0;
  size_t failed = 0;
  for (size_t i = 0; i < txs.size(); i += block_size) {
    BlockInput in;
    in.height = ++height;
    in.time = g.genesis_time + height;
    for (size_t j = i; j < std::min(txs.size(), i + block_size); ++j) in.txs.push_back(&txs[j]);
    in.signature_ok.assign(in.txs.size(), true);
    ApplyResult r = apply_block(store, hash, in);
    for (const auto& o : r.outcomes) failed += o.record.ok ? 0 : 1;
    commit(store, r.writes);
    hash = r.state_hash;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed > 0) std::fprintf(stderr, "warning: %zu transactions failed\n", failed);
  return static_cast<double>(txs.size()) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--txs") {
      o.txs = std::stoul(argv[i + 1]);
    } else if (flag == "--accounts") {
      o.accounts = std::stoul(argv[i + 1]);
    } else if (flag == "--block") {
      o.block = std::stoul(argv[i + 1]);
    } else if (flag == "--dir") {
      o.dir = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: suanli-ledger-bench [--txs N] [--accounts N] [--block N]\n");
      return 2;
    }
  }
  crypto_init();
  std::vector<KeyPair> keys;
  for (size_t i = 0; i < o.accounts + 1; ++i) keys.push_back(key_for(i));
  Genesis g = make_genesis(keys);
  std::vector<Tx> txs = make_txs(o, keys);

  MemKv mem;
  double mem_rate = run(mem, g, txs, o.block, [](MemKv& kv, const WriteSet& w) { kv.commit(w); });
  std::printf("ledger apply (in-memory store): %.0f tx/s  (%zu transfers, %zu accounts, "
              "blocks of %zu, one thread, no signatures)\n",
              mem_rate, o.txs, o.accounts, o.block);

  std::filesystem::remove_all(o.dir);
  auto store = node::StateStore::open(o.dir);
  if (!store) {
    std::fprintf(stderr, "cannot open %s: %s\n", o.dir.c_str(),
                 store.status().to_string().c_str());
    return 1;
  }
  double rocks_rate = run(**store, g, txs, o.block, [](node::StateStore& s, const WriteSet& w) {
    Status st = s.commit(w);
    if (!st) {
      std::fprintf(stderr, "commit failed: %s\n", st.to_string().c_str());
      std::exit(1);
    }
  });
  std::printf("ledger apply (RocksDB, synced WriteBatch per block): %.0f tx/s\n", rocks_rate);
  store->reset();
  std::filesystem::remove_all(o.dir);
  return 0;
}
