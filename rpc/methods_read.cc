// Read methods that answer one object.
#include "common/assert.h"
#include "ledger/block.h"
#include "ledger/encoding.h"
#include "ledger/ledger.h"
#include "rpc/methods.h"
#include "rpc/views.h"

namespace suanli::rpc {

using nlohmann::json;

namespace {

// The stored canonical JSON of a transaction as a JSON object.
json tx_object(std::string_view canonical) {
  json v = json::parse(canonical.begin(), canonical.end(), nullptr, /*allow_exceptions=*/false);
  SUANLI_ASSERT_MSG(v.is_object(), "stored transaction is not a JSON object");
  return v;
}

std::optional<ledger::BlockRecord> load_block(ReadCtx& ctx, uint64_t height) {
  auto raw = ctx.kv.get(ledger::keys::block(height));
  if (!raw) return std::nullopt;
  auto rec = ledger::decode_block_record(*raw);
  SUANLI_ASSERT_MSG(rec.has_value(), "corrupt block record");
  return rec;
}

}  // namespace

std::optional<json> committed_fields(ReadCtx& ctx, const Hash32& tx_hash) {
  auto rec = ctx.st.tx_record(tx_hash);
  if (!rec) return std::nullopt;
  return json{{"height", rec->height}, {"index", rec->index}, {"result", result_json(*rec)}};
}

MethodResult tx_get(ReadCtx& ctx, const json& params) {
  Hash32 hash = hex_param<32>(params, "tx_hash");
  if (auto committed = committed_fields(ctx, hash)) {
    uint64_t height = (*committed)["height"].get<uint64_t>();
    uint32_t index = (*committed)["index"].get<uint32_t>();
    auto canonical = ctx.kv.get(ledger::keys::block_tx(height, index));
    SUANLI_ASSERT_MSG(canonical.has_value(), "txindex record without its block transaction");
    json out{{"tx", tx_object(*canonical)}, {"status", "committed"}};
    out.update(*committed);
    return out;
  }
  std::string canonical;
  switch (ctx.service.local_tx(hash, &canonical)) {
    case LocalTxState::kPending:
      return json{{"tx", tx_object(canonical)}, {"status", "pending"}};
    case LocalTxState::kExpired:
      return json{{"tx", tx_object(canonical)}, {"status", "expired"}};
    case LocalTxState::kUnknown:
      break;
  }
  return not_found("no transaction " + to_hex(hash) + " on this node");
}

MethodResult block_get(ReadCtx& ctx, const json& params) {
  uint64_t height = u64_param(params, "height", 0);
  auto rec = load_block(ctx, height);
  if (!rec) return not_found("no block at height " + std::to_string(height));
  return block_json(*rec);
}

MethodResult block_latest(ReadCtx& ctx, const json& /*params*/) {
  uint64_t height = ctx.st.meta_u64("height");
  auto rec = height == 0 ? std::nullopt : load_block(ctx, height);
  if (!rec) return not_found("no block applied yet");
  return block_json(*rec);
}

MethodResult participant_get(ReadCtx& ctx, const json& params) {
  PubKey key = hex_param<32>(params, "pubkey");
  auto p = ctx.st.participant(key);
  if (!p) return not_found("no participant " + to_hex(key));
  return participant_json(*p);
}

MethodResult contract_get(ReadCtx& ctx, const json& params) {
  Id16 id = hex_param<16>(params, "contract_id");
  auto c = ctx.st.contract(id);
  if (!c) return not_found("no contract " + to_hex(id));
  return contract_json(*c);
}

MethodResult application_get(ReadCtx& ctx, const json& params) {
  Id16 id = hex_param<16>(params, "contract_id");
  auto a = ctx.st.application(id);
  if (!a) return not_found("no voucher application for contract " + to_hex(id));
  return application_json(*a);
}

MethodResult voucher_get(ReadCtx& ctx, const json& params) {
  Hash32 id = hex_param<32>(params, "voucher_id");
  auto v = ctx.st.voucher(id);
  if (!v) return not_found("no voucher " + to_hex(id));
  return voucher_json(*v);
}

MethodResult program_get(ReadCtx& ctx, const json& params) {
  std::string province = str_param(params, "province");
  auto p = ctx.st.program(province);
  if (!p) return not_found("no voucher programme in " + province);
  return program_json(*p);
}

MethodResult settlement_get(ReadCtx& ctx, const json& params) {
  uint64_t period = u64_param(params, "period", 0);
  auto s = ctx.st.statement(period);
  if (!s) return not_found("no settlement period " + std::to_string(period));
  return statement_json(*s, ctx.st.meta_u64("height"));
}

MethodResult settlement_current(ReadCtx& ctx, const json& /*params*/) {
  uint64_t period = ctx.st.meta_u64("period");
  auto s = ctx.st.statement(period);
  if (!s) return not_found("no open settlement period");
  return statement_json(*s, ctx.st.meta_u64("height"));
}

MethodResult proposal_get(ReadCtx& ctx, const json& params) {
  Hash32 id = hex_param<32>(params, "proposal");
  auto p = ctx.st.proposal(id);
  if (!p) return not_found("no proposal " + to_hex(id));
  return proposal_json(*p);
}

MethodResult node_status(ReadCtx& ctx, const json& /*params*/) { return ctx.service.node_status(); }

MethodResult chain_genesis(ReadCtx& ctx, const json& /*params*/) {
  return ctx.service.chain_genesis();
}

}  // namespace suanli::rpc
