// List methods: cursor/limit pages over a key family, filters applied while
// scanning, at most Limits::scan_max entries visited per call.
#include <deque>
#include <functional>

#include "common/assert.h"
#include "ledger/block.h"
#include "ledger/encoding.h"
#include "rpc/methods.h"
#include "rpc/views.h"

namespace suanli::rpc {

using nlohmann::json;

namespace {

// Decodes a state value (a corrupt one aborts, as ledger::StateStore does).
template <typename T>
T decode_or_die(std::string_view raw) {
  T v;
  SUANLI_ASSERT_MSG(ledger::decode(raw, v), "corrupt ledger state value");
  return v;
}

// Pages through the family whose keys start with `prefix`, from the cursor
// (hex of the key suffix to start at). `item` returns the JSON of an entry
// or nullopt when the filters leave it out.
json scan_page(ReadCtx& ctx, const std::string& prefix, const json& params,
               const std::function<std::optional<json>(std::string_view value)>& item) {
  uint64_t limit = u64_param(params, "limit", kLimitDefault);
  std::string start = prefix;
  if (has(params, "cursor")) {
    auto suffix = from_hex(str_param(params, "cursor"));
    SUANLI_ASSERT(suffix.has_value());  // checked as a cursor
    start += *suffix;
  }
  json items = json::array();
  json next = nullptr;
  uint64_t scanned = 0;
  ctx.kv.scan(start, ledger::keys::family_end(prefix),
              [&](std::string_view key, std::string_view value) {
                if (items.size() >= limit || scanned >= ctx.limits.scan_max) {
                  next = to_hex(key.substr(prefix.size()));
                  return false;
                }
                ++scanned;
                if (auto v = item(value)) items.push_back(std::move(*v));
                return true;
              });
  return json{{"items", std::move(items)}, {"next_cursor", std::move(next)}};
}

// The family prefix of a key maker's keys: column family byte and family byte.
std::string family(const std::string& some_key) { return some_key.substr(0, 2); }

}  // namespace

MethodResult participant_list(ReadCtx& ctx, const json& params) {
  std::optional<ledger::Role> role;
  if (has(params, "role")) role = ledger::role_from_name(str_param(params, "role"));
  std::string province = str_param(params, "province");
  return scan_page(ctx, family(ledger::keys::participant(PubKey{})), params,
                   [&](std::string_view raw) -> std::optional<json> {
                     auto p = decode_or_die<ledger::Participant>(raw);
                     if (role && p.role != *role) return std::nullopt;
                     if (!province.empty() && p.province != province) return std::nullopt;
                     return participant_json(p);
                   });
}

MethodResult contract_list(ReadCtx& ctx, const json& params) {
  std::optional<PubKey> buyer, provider;
  if (has(params, "buyer")) buyer = hex_param<32>(params, "buyer");
  if (has(params, "provider")) provider = hex_param<32>(params, "provider");
  std::optional<ledger::ContractState> state;
  if (has(params, "state")) state = ledger::contract_state_from_name(str_param(params, "state"));
  return scan_page(ctx, family(ledger::keys::contract(Id16{})), params,
                   [&](std::string_view raw) -> std::optional<json> {
                     auto c = decode_or_die<ledger::Contract>(raw);
                     if (buyer && c.buyer != *buyer) return std::nullopt;
                     if (provider && c.provider != *provider) return std::nullopt;
                     if (state && c.state != *state) return std::nullopt;
                     return contract_json(c);
                   });
}

MethodResult application_list(ReadCtx& ctx, const json& params) {
  std::string program = str_param(params, "program");
  std::optional<ledger::ApplicationState> state;
  if (has(params, "state")) {
    state = ledger::application_state_from_name(str_param(params, "state"));
  }
  return scan_page(ctx, family(ledger::keys::application(Id16{})), params,
                   [&](std::string_view raw) -> std::optional<json> {
                     auto a = decode_or_die<ledger::Application>(raw);
                     if (!program.empty() && a.program != program) return std::nullopt;
                     if (state && a.state != *state) return std::nullopt;
                     return application_json(a);
                   });
}

MethodResult voucher_list(ReadCtx& ctx, const json& params) {
  std::optional<PubKey> buyer;
  if (has(params, "buyer")) buyer = hex_param<32>(params, "buyer");
  std::string province = str_param(params, "province");
  std::optional<ledger::VoucherState> state;
  if (has(params, "state")) state = ledger::voucher_state_from_name(str_param(params, "state"));
  return scan_page(ctx, family(ledger::keys::voucher(Hash32{})), params,
                   [&](std::string_view raw) -> std::optional<json> {
                     auto v = decode_or_die<ledger::Voucher>(raw);
                     if (buyer && v.buyer != *buyer) return std::nullopt;
                     if (!province.empty() && v.province != province) return std::nullopt;
                     if (state && v.state != *state) return std::nullopt;
                     return voucher_json(v);
                   });
}

MethodResult settlement_list(ReadCtx& ctx, const json& params) {
  uint64_t height = ctx.st.meta_u64("height");
  return scan_page(ctx, family(ledger::keys::statement(0)), params,
                   [&](std::string_view raw) -> std::optional<json> {
                     return statement_json(decode_or_die<ledger::Statement>(raw), height);
                   });
}

MethodResult proposal_list(ReadCtx& ctx, const json& params) {
  std::optional<ledger::ProposalState> state;
  if (has(params, "state")) {
    state = str_param(params, "state") == "done" ? ledger::ProposalState::kDone
                                                 : ledger::ProposalState::kPending;
  }
  return scan_page(ctx, family(ledger::keys::proposal(Hash32{})), params,
                   [&](std::string_view raw) -> std::optional<json> {
                     auto p = decode_or_die<ledger::Proposal>(raw);
                     if (state && p.state != *state) return std::nullopt;
                     return proposal_json(p);
                   });
}

namespace {

struct TxRef {
  uint64_t height = 0;
  uint32_t index = 0;
  Hash32 hash{};
};

json tx_ref_json(ReadCtx& ctx, const TxRef& ref) {
  json out{{"tx_hash", to_hex(ref.hash)}, {"height", ref.height}, {"index", ref.index}};
  if (auto canonical = ctx.kv.get(ledger::keys::block_tx(ref.height, ref.index))) {
    json tx = json::parse(*canonical, nullptr, /*allow_exceptions=*/false);
    if (tx.is_object() && tx.contains("type")) out["type"] = tx["type"];
    if (tx.is_object() && tx.contains("signer")) out["signer"] = tx["signer"];
  }
  if (auto rec = ctx.st.tx_record(ref.hash)) out["result"] = result_json(*rec);
  return out;
}

}  // namespace

// Newest first. The txindex keys ascend by (height, index) and KvRead scans
// only forwards, so this scans windows of heights backwards from the top,
// doubling the window each time, and keeps the last entries of each window.
MethodResult tx_list(ReadCtx& ctx, const json& params) {
  PubKey who = hex_param<32>(params, "participant");
  uint64_t limit = u64_param(params, "limit", kLimitDefault);
  const std::string prefix = ledger::keys::participant_tx(who, 0, 0).substr(0, 2 + 32);
  std::string end_key = ledger::keys::family_end(prefix);
  uint64_t top = ctx.st.meta_u64("height");
  if (has(params, "cursor")) {
    auto suffix = from_hex(str_param(params, "cursor"));
    SUANLI_ASSERT(suffix.has_value());
    if (suffix->size() != 12) return invalid_params("cursor", "is not a tx_list cursor");
    end_key = prefix + *suffix;  // exclusive: the last entry of the previous page
    top = std::min(top, get_u64_be(*suffix));
  }
  std::vector<TxRef> items;
  uint64_t hi = top + 1;  // exclusive height bound of the next window
  uint64_t window = 1;
  while (items.size() < limit && hi > 0) {
    uint64_t lo = hi > window ? hi - window : 0;
    std::string start = prefix;
    put_u64_be(start, lo);
    std::deque<TxRef> found;  // the newest (limit - items.size()) of the window
    uint64_t visited = 0;
    bool overflow = false;
    ctx.kv.scan(start, end_key, [&](std::string_view key, std::string_view value) {
      // A window that holds too much is retried narrower (a single height
      // holds at most one block's transactions).
      if (++visited > ctx.limits.scan_max && window > 1) {
        overflow = true;
        return false;
      }
      if (key.size() != prefix.size() + 12 || value.size() != 32) return true;
      TxRef ref;
      ref.height = get_u64_be(key.substr(prefix.size(), 8));
      std::string_view idx = key.substr(prefix.size() + 8, 4);
      ref.index = (static_cast<uint32_t>(static_cast<uint8_t>(idx[0])) << 24) |
                  (static_cast<uint32_t>(static_cast<uint8_t>(idx[1])) << 16) |
                  (static_cast<uint32_t>(static_cast<uint8_t>(idx[2])) << 8) |
                  static_cast<uint32_t>(static_cast<uint8_t>(idx[3]));
      std::copy(value.begin(), value.end(), ref.hash.begin());
      found.push_back(ref);
      if (found.size() > limit - items.size()) found.pop_front();
      return true;
    });
    if (overflow) {
      window = std::max<uint64_t>(1, window / 8);
      continue;
    }
    for (auto it = found.rbegin(); it != found.rend(); ++it) items.push_back(*it);
    end_key = start;
    hi = lo;
    window = std::min<uint64_t>(window * 2, uint64_t{1} << 40);
  }
  json out = json::array();
  for (const TxRef& ref : items) out.push_back(tx_ref_json(ctx, ref));
  json next = nullptr;
  if (items.size() == limit) {
    std::string suffix;
    put_u64_be(suffix, items.back().height);
    put_u32_be(suffix, items.back().index);
    next = to_hex(suffix);
  }
  return json{{"items", std::move(out)}, {"next_cursor", std::move(next)}};
}

}  // namespace suanli::rpc
