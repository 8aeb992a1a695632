// encode_tx: a transaction's canonical JSON straight from its typed fields.
//
// Every node writes the canonical form of every transaction it decodes, so
// this skips the JSON value that tx_to_json builds. Members are written in
// RFC 8785 order (all keys are ASCII: byte order); the codec tests check the
// result against jcs(tx_to_json(tx, ...)) for every transaction type.
#include <charconv>

#include "ledger/codec.h"

namespace suanli::ledger {
namespace {

class Writer {
 public:
  explicit Writer(std::string& out, bool first = true) : out_(out), first_(first) {}

  void begin() {
    out_.push_back('{');
    first_ = true;
  }
  // A closed object is a member of its parent: the parent's next member
  // takes a comma.
  void end() {
    out_.push_back('}');
    first_ = false;
  }
  void key(std::string_view k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(k);
    out_.append("\":");
  }
  void str(std::string_view k, std::string_view v) {
    key(k);
    append_jcs_string(out_, v);
  }
  void uint(std::string_view k, uint64_t v) {
    key(k);
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    out_.append(buf, static_cast<size_t>(res.ptr - buf));
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    out_.append(v ? "true" : "false");
  }
  template <size_t N>
  void hex(std::string_view k, const std::array<uint8_t, N>& v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    key(k);
    out_.push_back('"');
    const size_t at = out_.size();
    out_.resize(at + 2 * N);
    for (size_t i = 0; i < N; ++i) {
      out_[at + 2 * i] = kDigits[v[i] >> 4];
      out_[at + 2 * i + 1] = kDigits[v[i] & 0x0f];
    }
    out_.push_back('"');
  }
  void begin_array(std::string_view k) {
    key(k);
    out_.push_back('[');
    first_ = true;
  }
  void end_array() {
    out_.push_back(']');
    first_ = false;
  }
  void element() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }

 private:
  std::string& out_;
  bool first_ = true;
};

// One overload per payload struct, members in key order.
struct PayloadEncoder {
  Writer& w;

  void operator()(const ParticipantRegister& p) const {
    w.str("credit_code", p.credit_code);
    w.str("group", p.group);
    w.str("name", p.name);
    w.str("province", p.province);
    w.hex("pubkey", p.pubkey);
    w.str("role", role_name(p.role));
  }
  void operator()(const ParticipantFreeze& p) const {
    w.boolean("frozen", p.frozen);
    w.hex("pubkey", p.pubkey);
  }
  void operator()(const Deposit& p) const {
    w.uint("amount", p.amount);
    w.str("reference", p.reference);
    w.hex("to", p.to);
  }
  void operator()(const Withdraw& p) const {
    w.uint("amount", p.amount);
    w.str("reference", p.reference);
  }
  void operator()(const Transfer& p) const {
    w.uint("amount", p.amount);
    w.str("memo", p.memo);
    w.hex("to", p.to);
  }
  void operator()(const ContractCreate& p) const {
    w.hex("contract_id", p.contract_id);
    w.uint("deadline", p.deadline);
    w.hex("provider", p.provider);
    w.uint("quantity", p.quantity);
    w.key("resource");
    w.begin();
    w.str("class", resource_class_name(p.resource.cls));
    w.str("model", p.resource.model);
    w.str("unit", resource_unit_name(p.resource.unit));
    w.end();
    w.uint("unit_price", p.unit_price);
    if (!p.vouchers.empty()) {
      w.begin_array("vouchers");
      for (const auto& v : p.vouchers) {
        w.element();
        w.begin();
        w.uint("amount", v.amount);
        w.hex("voucher_id", v.voucher_id);
        w.end();
      }
      w.end_array();
    }
  }
  void operator()(const ContractRef& p) const { w.hex("contract_id", p.contract_id); }
  void operator()(const ContractReason& p) const {
    w.hex("contract_id", p.contract_id);
    w.str("reason", p.reason);
  }
  void operator()(const DeliveryReport& p) const {
    w.hex("contract_id", p.contract_id);
    w.hex("evidence", p.evidence);
    w.uint("quantity", p.quantity);
  }
  void operator()(const DeliveryRef& p) const {
    w.hex("contract_id", p.contract_id);
    w.uint("seq", p.seq);
  }
  void operator()(const DeliveryDispute& p) const {
    w.hex("contract_id", p.contract_id);
    w.str("reason", p.reason);
    w.uint("seq", p.seq);
  }
  void operator()(const DisputeResolve& p) const {
    w.uint("accepted_quantity", p.accepted_quantity);
    w.hex("contract_id", p.contract_id);
    w.uint("seq", p.seq);
  }
  void operator()(const VoucherApply& p) const {
    w.hex("contract_id", p.contract_id);
    w.str("program", p.program);
  }
  void operator()(const VoucherRedeem& p) const {
    w.uint("amount", p.amount);
    w.hex("voucher_id", p.voucher_id);
  }
  void operator()(const VoucherRevoke& p) const {
    w.str("reason", p.reason);
    w.hex("voucher_id", p.voucher_id);
  }
  void operator()(const ProgramParams& p) const {
    w.str("basis", basis_name(p.basis));
    w.uint("budget", p.budget);
    w.uint("max_per_buyer_per_year", p.max_per_buyer_per_year);
    w.uint("max_per_voucher", p.max_per_voucher);
    w.uint("max_term_ms", p.max_term_ms);
    w.str("province", p.province);
    w.uint("rate_bps", p.rate_bps);
    w.uint("validity_ms", p.validity_ms);
  }
  void operator()(const SettlementClose&) const {}
  void operator()(const SettlementSign& p) const { w.uint("period", p.period); }
  void operator()(const NodePropose& p) const {
    w.str("action", node_action_name(p.action));
    w.str("address", p.address);
    w.str("node_id", p.node_id);
    w.hex("pubkey", p.pubkey);
  }
  void operator()(const RegulatorPropose& p) const {
    w.str("credit_code", p.credit_code);
    w.str("name", p.name);
    w.str("province", p.province);
    w.hex("pubkey", p.pubkey);
  }
  void operator()(const ProposalApprove& p) const { w.hex("proposal", p.proposal); }
};

}  // namespace

void encode_tx(const Tx& tx, std::string* canonical, std::string* signing_message) {
  // The signing form, with the place where the signature member goes
  // ("payload" < "signature" < "signer").
  std::string body(kTxSigningPrefix);
  body.reserve(512);
  Writer w(body);
  w.begin();
  w.str("chain_id", tx.chain_id);
  w.uint("expires_at", tx.expires_at);
  w.hex("nonce", tx.nonce);
  w.key("payload");
  w.begin();
  std::visit(PayloadEncoder{w}, tx.payload);
  w.end();
  const size_t signature_at = body.size();
  w.hex("signer", tx.signer);
  w.str("type", tx_type_name(tx.type));
  w.end();
  if (canonical != nullptr) {
    canonical->clear();
    canonical->reserve(body.size() + 144);
    canonical->append(body, kTxSigningPrefix.size(), signature_at - kTxSigningPrefix.size());
    Writer sw(*canonical, /*first=*/false);  // after "payload"
    sw.hex("signature", tx.signature);
    canonical->append(body, signature_at, std::string::npos);
  }
  if (signing_message != nullptr) *signing_message = std::move(body);
}

}  // namespace suanli::ledger
