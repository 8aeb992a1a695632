// Typed access to ledger state over a KvRead/Overlay, and the key scheme.
//
// State keys (column family 's'): p participant, c contract, a application,
// v voucher, g programme, r used reference, y yearly voucher use, x voucher
// expiry index, S statement, P proposal, n node member, R regulators per
// province, M meta (period, totals, policy, chain id).
// Txindex keys (column family 't'): h tx record by hash, a participant's txs.
#pragma once

#include <optional>
#include <string>

#include "ledger/encoding.h"
#include "ledger/overlay.h"

namespace suanli::ledger {

// Running totals behind stats_get "supply"; the supply identity holds after
// every block: balances + escrow + voucher_remaining + budget_available
//   = genesis_balances + budgets + deposits - withdrawals.
struct Totals {
  uint64_t genesis_balances = 0, deposits = 0, withdrawals = 0;
  uint64_t balances = 0, escrow = 0, voucher_remaining = 0;
};

namespace keys {
std::string participant(const PubKey& k);
std::string contract(const Id16& id);
std::string application(const Id16& id);
std::string voucher(const Hash32& id);
std::string program(std::string_view province);
std::string reference(std::string_view ref);
std::string year_use(std::string_view province, std::string_view credit_code, uint32_t year);
std::string expiry(uint64_t expires_at, const Hash32& voucher_id);
std::string expiry_prefix();
std::string statement(uint64_t period);
std::string proposal(const Hash32& id);
std::string node(std::string_view node_id);
std::string regulators(std::string_view province);
std::string meta(std::string_view name);
std::string tx_record(const Hash32& hash);
std::string participant_tx(const PubKey& k, uint64_t height, uint32_t index);
// [start, end) of a key family: for scans.
std::string family_end(std::string prefix);
}  // namespace keys

// Reads decode; writes encode into the overlay. A stored value that does not
// decode is corruption and aborts (the node must not diverge silently).
class StateStore {
 public:
  explicit StateStore(Overlay& kv) : kv_(kv) {}

  std::optional<Participant> participant(const PubKey& k) const;
  void put(const Participant& v);
  std::optional<Contract> contract(const Id16& id) const;
  void put(const Contract& v);
  std::optional<Application> application(const Id16& id) const;
  void put(const Application& v);
  std::optional<Voucher> voucher(const Hash32& id) const;
  void put(const Voucher& v);
  std::optional<Program> program(std::string_view province) const;
  void put(const Program& v);
  std::optional<Statement> statement(uint64_t period) const;
  void put(const Statement& v);
  std::optional<Proposal> proposal(const Hash32& id) const;
  void put(const Proposal& v);
  std::optional<NodeMember> node(std::string_view node_id) const;
  void put(const NodeMember& v);
  void erase_node(std::string_view node_id);
  std::optional<TxRecord> tx_record(const Hash32& hash) const;
  void put_tx_record(const Hash32& hash, const TxRecord& v);

  bool reference_used(std::string_view ref) const;
  void use_reference(std::string_view ref);
  uint64_t year_use(std::string_view province, std::string_view credit_code, uint32_t year) const;
  void set_year_use(std::string_view province, std::string_view credit_code, uint32_t year,
                    uint64_t used);
  uint64_t regulators(std::string_view province) const;
  void set_regulators(std::string_view province, uint64_t count);

  uint64_t meta_u64(std::string_view name) const;
  void set_meta_u64(std::string_view name, uint64_t v);
  Totals totals() const;
  void put(const Totals& t);
  Policy policy() const;
  void put(const Policy& p);

  Overlay& kv() { return kv_; }

 private:
  Overlay& kv_;
};

}  // namespace suanli::ledger
