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

Status check_schema(StateStore& state) {
  auto raw = state.get(key("schema_version"));
  if (!raw) {
    ledger::WriteSet w;
    w[key("schema_version")] = std::to_string(kSchemaVersion);
    return state.commit(w);
  }
  uint64_t version = 0;
  for (char ch : *raw) {
    if (ch < '0' || ch > '9' || version > 1000000) {
      return Status::error("corruption", "the state database's schema version is unreadable");
    }
    version = version * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (raw->empty()) return Status::error("corruption", "the state database's schema version is empty");
  if (version > kSchemaVersion) {
    return Status::error("schema_too_new",
                         "the state database has schema version " + std::to_string(version) +
                             ", written by a newer suanli; this one reads up to version " +
                             std::to_string(kSchemaVersion) + " (upgrade this node's binary)");
  }
  return Status::ok();
}

bool has_applied(const ledger::KvRead& kv) { return kv.get(key("applied")).has_value(); }

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
