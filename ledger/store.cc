#include "ledger/store.h"

#include "common/assert.h"

namespace suanli::ledger {
namespace keys {
namespace {
std::string make(char family, std::string_view rest) {
  std::string k;
  k.reserve(2 + rest.size());
  k.push_back(kCfState);
  k.push_back(family);
  k.append(rest);
  return k;
}
}  // namespace

std::string participant(const PubKey& k) { return make('p', as_view(k)); }
std::string contract(const Id16& id) { return make('c', as_view(id)); }
std::string application(const Id16& id) { return make('a', as_view(id)); }
std::string voucher(const Hash32& id) { return make('v', as_view(id)); }
std::string program(std::string_view province) { return make('g', province); }
std::string reference(std::string_view ref) { return make('r', ref); }
std::string year_use(std::string_view province, std::string_view credit_code, uint32_t year) {
  std::string rest(province);
  rest.push_back('\0');
  rest.append(credit_code);
  rest.push_back('\0');
  put_u32_be(rest, year);
  return make('y', rest);
}
std::string expiry(uint64_t expires_at, const Hash32& voucher_id) {
  std::string rest;
  put_u64_be(rest, expires_at);
  rest.append(as_view(voucher_id));
  return make('x', rest);
}
std::string expiry_prefix() { return make('x', ""); }
std::string statement(uint64_t period) {
  std::string rest;
  put_u64_be(rest, period);
  return make('S', rest);
}
std::string proposal(const Hash32& id) { return make('P', as_view(id)); }
std::string node(std::string_view node_id) { return make('n', node_id); }
std::string regulators(std::string_view province) { return make('R', province); }
std::string meta(std::string_view name) { return make('M', name); }
std::string tx_record(const Hash32& hash) {
  std::string k;
  k.push_back(kCfTxIndex);
  k.push_back('h');
  k.append(as_view(hash));
  return k;
}
std::string participant_tx(const PubKey& pk, uint64_t height, uint32_t index) {
  std::string k;
  k.push_back(kCfTxIndex);
  k.push_back('a');
  k.append(as_view(pk));
  put_u64_be(k, height);
  put_u32_be(k, index);
  return k;
}
std::string family_end(std::string prefix) {
  // The smallest key greater than every key starting with `prefix`.
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  SUANLI_ASSERT(!prefix.empty());
  prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
  return prefix;
}
}  // namespace keys

namespace {
template <typename T>
std::optional<T> load(const Overlay& kv, const std::string& key) {
  auto raw = kv.get(key);
  if (!raw) return std::nullopt;
  T v;
  SUANLI_ASSERT_MSG(decode(*raw, v), "corrupt ledger state value");
  return v;
}
}  // namespace

std::optional<Participant> StateStore::participant(const PubKey& k) const {
  return load<Participant>(kv_, keys::participant(k));
}
void StateStore::put(const Participant& v) { kv_.put(keys::participant(v.pubkey), encode(v)); }
std::optional<Contract> StateStore::contract(const Id16& id) const {
  return load<Contract>(kv_, keys::contract(id));
}
void StateStore::put(const Contract& v) { kv_.put(keys::contract(v.contract_id), encode(v)); }
std::optional<Application> StateStore::application(const Id16& id) const {
  return load<Application>(kv_, keys::application(id));
}
void StateStore::put(const Application& v) {
  kv_.put(keys::application(v.contract_id), encode(v));
}
std::optional<Voucher> StateStore::voucher(const Hash32& id) const {
  return load<Voucher>(kv_, keys::voucher(id));
}
void StateStore::put(const Voucher& v) { kv_.put(keys::voucher(v.voucher_id), encode(v)); }
std::optional<Program> StateStore::program(std::string_view province) const {
  return load<Program>(kv_, keys::program(province));
}
void StateStore::put(const Program& v) { kv_.put(keys::program(v.params.province), encode(v)); }
std::optional<Statement> StateStore::statement(uint64_t period) const {
  return load<Statement>(kv_, keys::statement(period));
}
void StateStore::put(const Statement& v) { kv_.put(keys::statement(v.period), encode(v)); }
std::optional<Proposal> StateStore::proposal(const Hash32& id) const {
  return load<Proposal>(kv_, keys::proposal(id));
}
void StateStore::put(const Proposal& v) { kv_.put(keys::proposal(v.id), encode(v)); }
std::optional<NodeMember> StateStore::node(std::string_view node_id) const {
  return load<NodeMember>(kv_, keys::node(node_id));
}
void StateStore::put(const NodeMember& v) { kv_.put(keys::node(v.node_id), encode(v)); }
void StateStore::erase_node(std::string_view node_id) { kv_.del(keys::node(node_id)); }
std::optional<TxRecord> StateStore::tx_record(const Hash32& hash) const {
  return load<TxRecord>(kv_, keys::tx_record(hash));
}
void StateStore::put_tx_record(const Hash32& hash, const TxRecord& v) {
  kv_.put(keys::tx_record(hash), encode(v));
}

bool StateStore::reference_used(std::string_view ref) const {
  return kv_.get(keys::reference(ref)).has_value();
}
void StateStore::use_reference(std::string_view ref) { kv_.put(keys::reference(ref), ""); }

uint64_t StateStore::year_use(std::string_view province, std::string_view credit_code,
                              uint32_t year) const {
  auto raw = kv_.get(keys::year_use(province, credit_code, year));
  uint64_t v = 0;
  if (raw) SUANLI_ASSERT(decode_u64(*raw, v));
  return v;
}
void StateStore::set_year_use(std::string_view province, std::string_view credit_code,
                              uint32_t year, uint64_t used) {
  kv_.put(keys::year_use(province, credit_code, year), encode_u64(used));
}
uint64_t StateStore::regulators(std::string_view province) const {
  auto raw = kv_.get(keys::regulators(province));
  uint64_t v = 0;
  if (raw) SUANLI_ASSERT(decode_u64(*raw, v));
  return v;
}
void StateStore::set_regulators(std::string_view province, uint64_t count) {
  kv_.put(keys::regulators(province), encode_u64(count));
}

uint64_t StateStore::meta_u64(std::string_view name) const {
  auto raw = kv_.get(keys::meta(name));
  uint64_t v = 0;
  if (raw) SUANLI_ASSERT(decode_u64(*raw, v));
  return v;
}
void StateStore::set_meta_u64(std::string_view name, uint64_t v) {
  kv_.put(keys::meta(name), encode_u64(v));
}

Totals StateStore::totals() const {
  Totals t;
  auto raw = kv_.get(keys::meta("totals"));
  if (!raw) return t;
  Reader r(*raw);
  SUANLI_ASSERT(r.u64(t.genesis_balances) && r.u64(t.deposits) && r.u64(t.withdrawals) &&
                r.u64(t.balances) && r.u64(t.escrow) && r.u64(t.voucher_remaining) && r.done());
  return t;
}
void StateStore::put(const Totals& t) {
  Writer w;
  for (uint64_t x :
       {t.genesis_balances, t.deposits, t.withdrawals, t.balances, t.escrow, t.voucher_remaining}) {
    w.u64(x);
  }
  kv_.put(keys::meta("totals"), w.take());
}

Policy StateStore::policy() const {
  Policy p;
  auto raw = kv_.get(keys::meta("policy"));
  SUANLI_ASSERT_MSG(raw.has_value(), "ledger state has no policy: not initialised from genesis");
  Reader r(*raw);
  SUANLI_ASSERT(r.u64(p.max_tx_validity_ms) && r.u64(p.ack_window_ms) && r.u64(p.max_block_txs) &&
                r.u64(p.max_block_bytes) && r.u64(p.membership_approvals) && r.done());
  return p;
}
void StateStore::put(const Policy& p) {
  Writer w;
  for (uint64_t x : {p.max_tx_validity_ms, p.ack_window_ms, p.max_block_txs, p.max_block_bytes,
                     p.membership_approvals}) {
    w.u64(x);
  }
  kv_.put(keys::meta("policy"), w.take());
}

}  // namespace suanli::ledger
