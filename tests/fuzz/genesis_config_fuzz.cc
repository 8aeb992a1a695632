// Genesis documents, node configurations and node key files (genesis/): any
// text is refused with an error or parses into something valid, never a
// crash. The input goes to all three parsers. A genesis that parses writes
// back to a document that parses to the same genesis (same hash, same
// document); a configuration's fields obey their rules; a key's pubkey is
// its seed's.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/assert.h"
#include "genesis/genesis.h"
#include "genesis/node_config.h"
#include "ledger/crypto.h"

namespace {

using namespace suanli;

void check_genesis(std::string_view text) {
  auto g = genesis::parse_genesis(text);
  if (!g) return;
  SUANLI_ASSERT(genesis::is_chain_id(g->chain_id));
  SUANLI_ASSERT(g->hash == genesis::genesis_hash(*g));
  const auto doc = genesis::genesis_to_json(*g);
  auto again = genesis::parse_genesis(doc.dump());
  SUANLI_ASSERT(again.is_ok());
  SUANLI_ASSERT(again->hash == g->hash);
  SUANLI_ASSERT(genesis::genesis_to_json(*again) == doc);
}

void check_config(std::string_view text) {
  auto c = genesis::parse_node_config(text, "/etc/suanli");
  if (!c) return;
  SUANLI_ASSERT(genesis::is_node_id(c->node_id));
  SUANLI_ASSERT(genesis::is_host_port(c->listen) && genesis::is_host_port(c->rpc));
  for (const auto* path : {&c->data_dir, &c->genesis, &c->key_file}) {
    SUANLI_ASSERT(!path->empty() && path->front() == '/');
  }
}

void check_key(std::string_view text) {
  auto key = genesis::parse_node_key(text, "node-key.json");
  if (!key) return;
  SUANLI_ASSERT(ledger::keypair_from_seed(key->seed).pubkey == key->pubkey);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool init = (ledger::crypto_init(), true);
  (void)init;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_genesis(text);
  check_config(text);
  check_key(text);
  return 0;
}
