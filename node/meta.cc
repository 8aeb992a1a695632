#include "node/meta.h"

#include <cstring>

#include "common/assert.h"
#include "ledger/encoding.h"

namespace suanli::node::meta {

std::string key(std::string_view name) {
  std::string k(1, ledger::kCfMeta);
  k.push_back('n');
  k.append(name);
  return k;
}

std::string state_hash_key(uint64_t height) {
  std::string k = key("sh/");
  put_u64_be(k, height);
  return k;
}

void put_applied(ledger::WriteSet& w, uint64_t index, const Tip& tip, const Hash32& state_hash) {
  ledger::Writer t;
  t.u64(index);
  t.u64(tip.height);
  t.fixed(tip.hash);
  t.u64(tip.time);
  t.fixed(state_hash);
  w[key("applied")] = t.take();
  w[state_hash_key(tip.height)] = std::string(as_view(state_hash));
}

Applied load_applied(const ledger::KvRead& kv) {
  Applied a;
  auto raw = kv.get(key("applied"));
  SUANLI_ASSERT_MSG(raw.has_value(), "state database has no applied record");
  ledger::Reader r(*raw);
  SUANLI_ASSERT_MSG(r.u64(a.index) && r.u64(a.tip.height) && r.fixed(a.tip.hash) &&
                        r.u64(a.tip.time) && r.fixed(a.state_hash) && r.done(),
                    "corrupt applied record");
  return a;
}

std::optional<Hash32> state_hash_at(const ledger::KvRead& kv, uint64_t height) {
  auto raw = kv.get(state_hash_key(height));
  if (!raw || raw->size() != 32) return std::nullopt;
  Hash32 h{};
  std::memcpy(h.data(), raw->data(), 32);
  return h;
}

}  // namespace suanli::node::meta
