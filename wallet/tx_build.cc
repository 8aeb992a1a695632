#include "wallet/tx_build.h"

#include <sodium.h>

#include <chrono>

#include "common/money.h"
#include "wallet/cli.h"

namespace suanli::wallet {
namespace po = boost::program_options;
namespace {

using ledger::TxType;
using K = FieldKind;

constexpr FieldSpec kContractId{"contract_id", K::kHex, "the contract (32 hex)"};
constexpr FieldSpec kSeq{"seq", K::kCount, "the delivery's sequence number (1, 2, ...)"};
constexpr FieldSpec kReason{"reason", K::kText, "why (1..256 characters)"};
constexpr FieldSpec kVoucherId{"voucher_id", K::kHex, "the voucher (64 hex)"};
constexpr FieldSpec kProvince{"province", K::kText, "ISO 3166-2:CN code (CN-GZ, CN-BJ, ...)"};
constexpr FieldSpec kName{"name", K::kText, "registered name (1..128 characters)"};
constexpr FieldSpec kCreditCode{"credit_code", K::kText, "unified social credit code (18)"};
constexpr FieldSpec kPubkey{"pubkey", K::kParty, "public key (64 hex) or keystore key name"};

std::vector<TxSpec> make_specs() {
  return {
      {TxType::kParticipantRegister,
       {kPubkey,
        {"role", K::kText, "regulator, provider or buyer"},
        kProvince,
        kName,
        kCreditCode,
        {"group", K::kOptionalText, "credit code of its controlling group (default none)"}}},
      {TxType::kParticipantFreeze,
       {kPubkey, {"frozen", K::kBool, "true to freeze, false to unfreeze"}}},
      {TxType::kDeposit,
       {{"to", K::kParty, "provider or buyer (pubkey or key name)"},
        {"amount", K::kMoney, "yuan (or fen with --fen)"},
        {"reference", K::kText, "bank reference, used once (1..64)"}}},
      {TxType::kWithdraw,
       {{"amount", K::kMoney, "yuan (or fen with --fen)"},
        {"reference", K::kText, "bank reference, used once (1..64)"}}},
      {TxType::kTransfer,
       {{"to", K::kParty, "provider or buyer (pubkey or key name)"},
        {"amount", K::kMoney, "yuan (or fen with --fen)"},
        {"memo", K::kOptionalText, "memo (0..128, default empty)"}}},
      {TxType::kContractCreate,
       {{"contract_id", K::kNewId, "32 hex (default: random)"},
        {"provider", K::kParty, "the provider (pubkey or key name)"},
        {"class", K::kResource, "intelligent, general or supercomputing"},
        {"model", K::kResource, "model, e.g. \"A800 80GB\" (1..64)"},
        {"unit", K::kResource, "card_hour, core_hour or tb_month"},
        {"quantity", K::kCount, "units bought"},
        {"unit_price", K::kMoney, "price per unit, yuan (or fen with --fen)"},
        {"deadline", K::kTime, "ms since the epoch, or +N[s|m|h|d] from now"},
        {"voucher", K::kVouchers, "ID:AMOUNT, a voucher deduction (repeatable)"}}},
      {TxType::kContractAccept, {kContractId}},
      {TxType::kContractReject, {kContractId, kReason}},
      {TxType::kContractCancel, {kContractId}},
      {TxType::kDeliveryReport,
       {kContractId,
        {"quantity", K::kCount, "units delivered"},
        {"evidence", K::kHex, "hash of the usage records (64 hex)"}}},
      {TxType::kDeliveryAck, {kContractId, kSeq}},
      {TxType::kDeliveryDispute, {kContractId, kSeq, kReason}},
      {TxType::kDeliveryFinalize, {kContractId, kSeq}},
      {TxType::kDisputeResolve,
       {kContractId, kSeq, {"accepted_quantity", K::kCount, "units accepted (0..reported)"}}},
      {TxType::kContractClose, {kContractId}},
      {TxType::kVoucherApply,
       {kContractId, {"program", K::kText, "the programme's province (CN-GZ, CN-BJ, ...)"}}},
      {TxType::kVoucherIssue, {kContractId}},
      {TxType::kVoucherReject, {kContractId, kReason}},
      {TxType::kVoucherRedeem, {kVoucherId, {"amount", K::kMoney, "cash back, yuan (or --fen)"}}},
      {TxType::kVoucherRevoke, {kVoucherId, kReason}},
      {TxType::kProgramSet,
       {kProvince,
        {"basis", K::kText, "provider or buyer"},
        {"rate_bps", K::kCount, "voucher rate in basis points (300 = 3%)"},
        {"max_per_voucher", K::kMoney, "yuan (or --fen)"},
        {"max_per_buyer_per_year", K::kMoney, "yuan (or --fen)"},
        {"max_term_ms", K::kCount, "longest eligible contract term, ms"},
        {"validity_ms", K::kCount, "voucher validity, ms"},
        {"budget", K::kMoney, "total budget, yuan (or --fen)"}}},
      {TxType::kSettlementClose, {}},
      {TxType::kSettlementSign, {{"period", K::kCount, "the settlement period"}}},
      {TxType::kNodePropose,
       {{"action", K::kText, "add_voter, add_learner or remove"},
        {"node_id", K::kText, "the node's id"},
        {"pubkey", K::kParty, "the node's public key (64 hex)"},
        {"address", K::kText, "host:port where peers dial it"}}},
      {TxType::kRegulatorPropose, {kPubkey, kProvince, kName, kCreditCode}},
      {TxType::kProposalApprove, {{"proposal", K::kHex, "the proposal (its tx hash, 64 hex)"}}},
  };
}

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// "1767225600000" or "+30d", "+20s", "+2h", "+90m".
uint64_t parse_time(const std::string& flag, const std::string& text) {
  if (text.empty() || text[0] != '+') return parse_count(flag, text);
  std::string digits = text.substr(1);
  uint64_t unit_ms = 0;
  char suffix = digits.empty() ? '\0' : digits.back();
  if (suffix == 's') unit_ms = 1000;
  if (suffix == 'm') unit_ms = 60000;
  if (suffix == 'h') unit_ms = 3600000;
  if (suffix == 'd') unit_ms = 86400000;
  if (unit_ms == 0) {
    usage_error(flag + ": '" + text +
                "' must be ms since the epoch or +N followed by s, m, h or d");
  }
  digits.pop_back();
  auto delta = checked_mul(parse_count(flag, digits), unit_ms);
  auto t = delta ? checked_add(now_ms(), *delta) : std::nullopt;
  if (!t) usage_error(flag + ": '" + text + "' is too far in the future");
  return *t;
}

nlohmann::json parse_vouchers(const std::vector<std::string>& items, bool fen) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& item : items) {
    size_t colon = item.find(':');
    if (colon == std::string::npos) {
      usage_error("--voucher: '" + item + "' must be VOUCHER_ID:AMOUNT");
    }
    out.push_back({{"voucher_id", item.substr(0, colon)},
                   {"amount", parse_money("--voucher", item.substr(colon + 1), fen)}});
  }
  return out;
}

}  // namespace

const std::vector<TxSpec>& tx_specs() {
  static const std::vector<TxSpec> specs = make_specs();
  return specs;
}

std::string flag_of(const std::string& field) {
  std::string f = "--" + field;
  for (char& c : f) c = c == '_' ? '-' : c;
  return f;
}

uint64_t parse_count(const std::string& flag, const std::string& text) {
  bool digits = !text.empty() && text.size() <= 16 &&
                text.find_first_not_of("0123456789") == std::string::npos;
  uint64_t v = digits ? std::stoull(text) : 0;
  if (!digits || v > kAmountMax) {
    usage_error(flag + ": '" + text + "' must be a whole number 0.." + std::to_string(kAmountMax));
  }
  return v;
}

uint64_t parse_money(const std::string& flag, const std::string& text, bool fen) {
  if (fen) return parse_count(flag + " (fen)", text);
  auto v = parse_yuan(text);
  if (!v || *v > kAmountMax) {
    usage_error(flag + ": '" + text +
                "' must be yuan with at most two decimals (1070000.10), or fen with --fen");
  }
  return *v;
}

void add_field_options(const TxSpec& spec, po::options_description& desc) {
  for (const FieldSpec& f : spec.fields) {
    std::string flag = flag_of(f.name).substr(2);
    if (f.kind == K::kVouchers) {
      desc.add_options()(flag.c_str(), po::value<std::vector<std::string>>()->composing(), f.help);
    } else if (f.kind == K::kNewId || f.kind == K::kOptionalText) {
      desc.add_options()(flag.c_str(), po::value<std::string>(), f.help);
    } else {
      desc.add_options()(flag.c_str(), po::value<std::string>()->required(), f.help);
    }
  }
}

nlohmann::json build_payload(const Context& ctx, const TxSpec& spec, const po::variables_map& vm,
                             bool fen) {
  nlohmann::json payload = nlohmann::json::object();
  for (const FieldSpec& f : spec.fields) {
    std::string flag = flag_of(f.name);
    std::string key = flag.substr(2);
    std::string v = vm.count(key) && f.kind != K::kVouchers ? vm[key].as<std::string>() : "";
    switch (f.kind) {
      case K::kText:
      case K::kOptionalText:
      case K::kHex:
        payload[f.name] = v;
        break;
      case K::kParty:
        payload[f.name] = to_hex(ctx.resolve_party(flag, v));
        break;
      case K::kCount:
        payload[f.name] = parse_count(flag, v);
        break;
      case K::kMoney:
        payload[f.name] = parse_money(flag, v, fen);
        break;
      case K::kTime:
        payload[f.name] = parse_time(flag, v);
        break;
      case K::kResource:
        payload["resource"][f.name] = v;
        break;
      case K::kBool:
        if (v != "true" && v != "false") usage_error(flag + ": '" + v + "' must be true or false");
        payload[f.name] = v == "true";
        break;
      case K::kNewId: {
        if (v.empty()) {
          Id16 id{};
          randombytes_buf(id.data(), id.size());
          v = to_hex(id);
        }
        payload[f.name] = v;
        break;
      }
      case K::kVouchers:
        if (vm.count(key)) {
          payload["vouchers"] = parse_vouchers(vm[key].as<std::vector<std::string>>(), fen);
        }
        break;
    }
  }
  return payload;
}

}  // namespace suanli::wallet
