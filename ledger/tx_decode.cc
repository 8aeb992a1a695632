// Transaction decoding: every check API.md runs at ingress before the
// signature ("Transactions"), each failure naming its field.
#include <initializer_list>
#include <set>
#include <utility>
#include <vector>

#include "common/assert.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "ledger/json_lite.h"
#include "ledger/tx_fields.h"

namespace suanli::ledger {
namespace {

using nlohmann::json;

constexpr uint64_t kNameMax = 128;
constexpr uint64_t kReasonMax = 256;
constexpr uint64_t kReferenceMax = 64;
constexpr uint64_t kMemoMax = 128;
constexpr uint64_t kModelMax = 64;
constexpr uint64_t kAddressMax = 255;
constexpr uint64_t kRateBpsMax = 10000;
// A transaction is 4 levels deep (payload.vouchers[i]); parse_strict's default
// limit is the same, so values from elsewhere are held to it too.
constexpr size_t kDepthMax = 64;

// Whether `value` nests deeper than `limit`, without recursion: a value built
// by a non-strict parser may be arbitrarily deep, and jcs() recurses.
bool deeper_than(const json& value, size_t limit) {
  std::vector<std::pair<const json*, size_t>> stack{{&value, 0}};
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    if (!v->is_structured()) continue;
    if (depth >= limit) return true;
    for (const json& child : *v) stack.emplace_back(&child, depth + 1);
  }
  return false;
}

template <typename R>
bool read(R& r, ParticipantRegister& p) {
  return r.members({"pubkey", "role", "province", "name", "credit_code", "group"}) &&
         r.hex("pubkey", p.pubkey) && r.enumeration("role", role_from_name, p.role) &&
         r.province("province", p.province) && r.text("name", 1, kNameMax, p.name) &&
         r.credit_code("credit_code", p.credit_code, false) &&
         r.credit_code("group", p.group, true);
}

template <typename R>
bool read(R& r, ParticipantFreeze& p) {
  return r.members({"pubkey", "frozen"}) && r.hex("pubkey", p.pubkey) &&
         r.boolean("frozen", p.frozen);
}

template <typename R>
bool read(R& r, Deposit& p) {
  return r.members({"to", "amount", "reference"}) && r.hex("to", p.to) &&
         r.uint("amount", 1, p.amount) && r.text("reference", 1, kReferenceMax, p.reference);
}

template <typename R>
bool read(R& r, Withdraw& p) {
  return r.members({"amount", "reference"}) && r.uint("amount", 1, p.amount) &&
         r.text("reference", 1, kReferenceMax, p.reference);
}

template <typename R>
bool read(R& r, Transfer& p) {
  return r.members({"to", "amount", "memo"}) && r.hex("to", p.to) &&
         r.uint("amount", 1, p.amount) && r.text("memo", 0, kMemoMax, p.memo);
}

template <typename R>
bool read_resource(R& r, Resource& out) {
  auto sub = r.object("resource");
  return sub && sub->members({"class", "model", "unit"}) &&
         sub->enumeration("class", resource_class_from_name, out.cls) &&
         sub->text("model", 1, kModelMax, out.model) &&
         sub->enumeration("unit", resource_unit_from_name, out.unit);
}

// `vouchers` may be left out; present, it must list at least one voucher so
// that the typed form re-encodes to the JSON that was signed.
template <typename R>
bool read_vouchers(R& r, std::vector<VoucherUse>& out) {
  if (!r.has("vouchers")) return true;
  const std::optional<size_t> size = r.array("vouchers");
  if (!size) return false;
  if (*size == 0) return r.fail("vouchers", "must be left out when empty");
  std::set<Hash32> seen;
  for (size_t i = 0; i < *size; ++i) {
    auto item = r.element("vouchers", i);
    VoucherUse use;
    if (!item || !item->members({"voucher_id", "amount"}) ||
        !item->hex("voucher_id", use.voucher_id) || !item->uint("amount", 1, use.amount)) {
      return false;
    }
    if (!seen.insert(use.voucher_id).second) {
      return item->fail("voucher_id", "voucher listed twice");
    }
    out.push_back(use);
  }
  return true;
}

template <typename R>
bool read(R& r, ContractCreate& p) {
  return r.members({"contract_id", "provider", "resource", "quantity", "unit_price", "deadline"},
                   {"vouchers"}) &&
         r.hex("contract_id", p.contract_id) && r.hex("provider", p.provider) &&
         read_resource(r, p.resource) && r.uint("quantity", 1, p.quantity) &&
         r.uint("unit_price", 1, p.unit_price) && r.uint("deadline", 0, p.deadline) &&
         read_vouchers(r, p.vouchers);
}

template <typename R>
bool read(R& r, ContractRef& p) {
  return r.members({"contract_id"}) && r.hex("contract_id", p.contract_id);
}

template <typename R>
bool read(R& r, ContractReason& p) {
  return r.members({"contract_id", "reason"}) && r.hex("contract_id", p.contract_id) &&
         r.text("reason", 1, kReasonMax, p.reason);
}

template <typename R>
bool read(R& r, DeliveryReport& p) {
  return r.members({"contract_id", "quantity", "evidence"}) &&
         r.hex("contract_id", p.contract_id) && r.uint("quantity", 1, p.quantity) &&
         r.hex("evidence", p.evidence);
}

template <typename R>
bool read(R& r, DeliveryRef& p) {
  return r.members({"contract_id", "seq"}) && r.hex("contract_id", p.contract_id) &&
         r.uint("seq", 0, p.seq);
}

template <typename R>
bool read(R& r, DeliveryDispute& p) {
  return r.members({"contract_id", "seq", "reason"}) && r.hex("contract_id", p.contract_id) &&
         r.uint("seq", 0, p.seq) && r.text("reason", 1, kReasonMax, p.reason);
}

template <typename R>
bool read(R& r, DisputeResolve& p) {
  return r.members({"contract_id", "seq", "accepted_quantity"}) &&
         r.hex("contract_id", p.contract_id) && r.uint("seq", 0, p.seq) &&
         r.uint("accepted_quantity", 0, p.accepted_quantity);
}

template <typename R>
bool read(R& r, VoucherApply& p) {
  return r.members({"contract_id", "program"}) && r.hex("contract_id", p.contract_id) &&
         r.province("program", p.program);
}

template <typename R>
bool read(R& r, VoucherRedeem& p) {
  return r.members({"voucher_id", "amount"}) && r.hex("voucher_id", p.voucher_id) &&
         r.uint("amount", 1, p.amount);
}

template <typename R>
bool read(R& r, VoucherRevoke& p) {
  return r.members({"voucher_id", "reason"}) && r.hex("voucher_id", p.voucher_id) &&
         r.text("reason", 1, kReasonMax, p.reason);
}

// As a genesis programme, except that a budget may be set to 0 (no new vouchers).
template <typename R>
bool read(R& r, ProgramParams& p) {
  return r.members({"province", "basis", "rate_bps", "max_per_voucher", "max_per_buyer_per_year",
                    "max_term_ms", "validity_ms", "budget"}) &&
         r.province("province", p.province) && r.enumeration("basis", basis_from_name, p.basis) &&
         r.uint("rate_bps", 1, p.rate_bps, kRateBpsMax) &&
         r.uint("max_per_voucher", 1, p.max_per_voucher) &&
         r.uint("max_per_buyer_per_year", 1, p.max_per_buyer_per_year) &&
         r.uint("max_term_ms", 1, p.max_term_ms) && r.uint("validity_ms", 1, p.validity_ms) &&
         r.uint("budget", 0, p.budget);
}

template <typename R>
bool read(R& r, SettlementClose&) { return r.members({}); }

template <typename R>
bool read(R& r, SettlementSign& p) {
  return r.members({"period"}) && r.uint("period", 0, p.period);
}

template <typename R>
bool read(R& r, NodePropose& p) {
  return r.members({"action", "node_id", "pubkey", "address"}) &&
         r.enumeration("action", node_action_from_name, p.action) &&
         r.node_id("node_id", p.node_id) && r.hex("pubkey", p.pubkey) &&
         r.text("address", 1, kAddressMax, p.address);
}

template <typename R>
bool read(R& r, RegulatorPropose& p) {
  return r.members({"pubkey", "province", "name", "credit_code"}) && r.hex("pubkey", p.pubkey) &&
         r.province("province", p.province) && r.text("name", 1, kNameMax, p.name) &&
         r.credit_code("credit_code", p.credit_code, false);
}

template <typename R>
bool read(R& r, ProposalApprove& p) {
  return r.members({"proposal"}) && r.hex("proposal", p.proposal);
}

template <typename T, typename R>
bool read_into(R& r, Payload& out) {
  T p;
  if (!read(r, p)) return false;
  out = std::move(p);
  return true;
}

template <typename R>
bool read_payload(TxType type, R& r, Payload& out) {
  switch (type) {
    case TxType::kParticipantRegister:
      return read_into<ParticipantRegister>(r, out);
    case TxType::kParticipantFreeze:
      return read_into<ParticipantFreeze>(r, out);
    case TxType::kDeposit:
      return read_into<Deposit>(r, out);
    case TxType::kWithdraw:
      return read_into<Withdraw>(r, out);
    case TxType::kTransfer:
      return read_into<Transfer>(r, out);
    case TxType::kContractCreate:
      return read_into<ContractCreate>(r, out);
    case TxType::kContractAccept:
    case TxType::kContractCancel:
    case TxType::kContractClose:
    case TxType::kVoucherIssue:
      return read_into<ContractRef>(r, out);
    case TxType::kContractReject:
    case TxType::kVoucherReject:
      return read_into<ContractReason>(r, out);
    case TxType::kDeliveryReport:
      return read_into<DeliveryReport>(r, out);
    case TxType::kDeliveryAck:
    case TxType::kDeliveryFinalize:
      return read_into<DeliveryRef>(r, out);
    case TxType::kDeliveryDispute:
      return read_into<DeliveryDispute>(r, out);
    case TxType::kDisputeResolve:
      return read_into<DisputeResolve>(r, out);
    case TxType::kVoucherApply:
      return read_into<VoucherApply>(r, out);
    case TxType::kVoucherRedeem:
      return read_into<VoucherRedeem>(r, out);
    case TxType::kVoucherRevoke:
      return read_into<VoucherRevoke>(r, out);
    case TxType::kProgramSet:
      return read_into<ProgramParams>(r, out);
    case TxType::kSettlementClose:
      return read_into<SettlementClose>(r, out);
    case TxType::kSettlementSign:
      return read_into<SettlementSign>(r, out);
    case TxType::kNodePropose:
      return read_into<NodePropose>(r, out);
    case TxType::kRegulatorPropose:
      return read_into<RegulatorPropose>(r, out);
    case TxType::kProposalApprove:
      return read_into<ProposalApprove>(r, out);
  }
  SUANLI_ASSERT_MSG(false, "unhandled transaction type");
  return false;
}

template <typename R>
bool read_envelope(R& r, Tx& tx) {
  if (!r.members({"chain_id", "type", "signer", "nonce", "expires_at", "payload", "signature"}) ||
      !r.chain_id("chain_id", tx.chain_id) || !r.enumeration("type", tx_type_from_name, tx.type) ||
      !r.hex("signer", tx.signer) || !r.hex("nonce", tx.nonce) ||
      !r.uint("expires_at", 0, tx.expires_at)) {
    return false;
  }
  auto payload = r.object("payload");
  if (!payload || !read_payload(tx.type, *payload, tx.payload)) return false;
  if (!r.hex("signature", tx.signature)) return false;
  if (tx.type == TxType::kTransfer && tx.as<Transfer>().to == tx.signer) {
    return payload->fail("to", "transfer to the signer itself");
  }
  return true;
}

}  // namespace

namespace {
// No object at or under `v` has a member twice (LiteJson keeps them all; the
// strict parser records a duplicate as an anomaly).
bool members_unique(LiteJson::Ref v, size_t depth = 0) {
  const LiteJson::Value& value = v.get();
  if (depth > kLiteDepthMax) return false;
  if (value.kind == LiteJson::Kind::kArray) {
    for (uint32_t i = 0; i < value.count; ++i) {
      if (!members_unique(v.doc->element(value, i), depth + 1)) return false;
    }
    return true;
  }
  if (value.kind != LiteJson::Kind::kObject) return true;
  for (uint32_t i = 0; i < value.count; ++i) {
    const LiteJson::Member& m = v.doc->member(value, i);
    for (uint32_t j = i + 1; j < value.count; ++j) {
      if (v.doc->member(value, j).key == m.key) return false;
    }
    if (!members_unique(LiteJson::Ref{v.doc, m.value}, depth + 1)) return false;
  }
  return true;
}

// The transaction an object holds, with its canonical text and signing
// message encoded from the fields read (no hash yet), or nullopt.
std::optional<Tx> read_lite(LiteJson::Ref value) {
  if (value.get().kind != LiteJson::Kind::kObject) return std::nullopt;
  std::optional<TxError> error;
  LiteFieldReader reader(value, "", &error);
  Tx tx;
  if (!read_envelope(reader, tx)) return std::nullopt;
  encode_tx(tx, &tx.canonical, &tx.signing_message);
  return tx;
}
}  // namespace

// Only text that is exactly the canonical encoding of what was read is
// accepted here, so both paths give the same transaction. Canonical text has
// no member twice, so the comparison also stands for members_unique.
std::optional<Tx> decode_canonical_tx(std::string_view text) {
  if (text.size() > kTxBytesMax) return std::nullopt;
  thread_local LiteJson doc;  // reused: its vectors keep their capacity
  if (!doc.parse(text)) return std::nullopt;
  auto tx = read_lite(doc.root());
  if (!tx || tx->canonical != text) return std::nullopt;
  tx->hash = blake2b256(tx->signing_message);
  return tx;
}

std::optional<Tx> decode_tx_lite(LiteJson::Ref value) {
  if (!members_unique(value)) return std::nullopt;
  auto tx = read_lite(value);
  // Too large: the strict path says so.
  if (!tx || tx->canonical.size() > kTxBytesMax) return std::nullopt;
  tx->hash = blake2b256(tx->signing_message);
  return tx;
}

std::variant<Tx, TxError> decode_tx(const nlohmann::json& value,
                                    const std::optional<JsonAnomaly>& anomaly, DecodeCheck check) {
  if (value.is_discarded()) return TxError{TxErrorKind::kParse, "", "not JSON"};
  if (deeper_than(value, kDepthMax)) {
    return TxError{TxErrorKind::kInvalid, "", "nested too deeply"};
  }
  // Size first (API.md's ingress order: parse, size, invalid_transaction).
  // For a valid transaction this is exactly its canonical encoding.
  std::string whole = jcs(value);
  if (whole.size() > kTxBytesMax) {
    return TxError{TxErrorKind::kTooLarge, "",
                   "canonical encoding is " + std::to_string(whole.size()) + " bytes, over " +
                       std::to_string(kTxBytesMax)};
  }
  if (anomaly) return TxError{TxErrorKind::kInvalid, anomaly->path, anomaly->message};
  if (!value.is_object()) {
    return TxError{TxErrorKind::kInvalid, "", "a transaction must be a JSON object"};
  }
  std::optional<TxError> error;
  FieldReader reader(&value, "", &error);
  Tx tx;
  if (!read_envelope(reader, tx)) {
    SUANLI_ASSERT(error.has_value());
    return std::move(*error);
  }
  encode_tx(tx, &tx.canonical, &tx.signing_message);
  if (check == DecodeCheck::kReencode) {
    // Pair check: the typed form re-encodes to exactly what was received.
    SUANLI_ASSERT_MSG(tx.canonical == whole, "decoded transaction does not re-encode");
  }
  tx.hash = blake2b256(tx.signing_message);
  return tx;
}

std::variant<Tx, TxError> decode_tx(std::string_view text, DecodeCheck check) {
  if (auto tx = decode_canonical_tx(text)) return std::move(*tx);
  std::string error;
  auto parsed = parse_strict(text, &error);
  if (!parsed) return TxError{TxErrorKind::kParse, "", error};
  return decode_tx(parsed->value, parsed->anomaly, check);
}

}  // namespace suanli::ledger
