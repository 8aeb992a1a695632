// stats_get (API.md): figures over the whole ledger or a province, from one
// bounded scan of participants, contracts, vouchers and programmes, cached
// per applied height.
#include <set>
#include <unordered_map>

#include "common/assert.h"
#include "ledger/encoding.h"
#include "ledger/ledger.h"
#include "rpc/methods.h"

namespace suanli::rpc {

using nlohmann::json;

std::optional<json> StatsCache::get(uint64_t height, const std::string& province) {
  std::lock_guard lock(mu_);
  if (height != height_) return std::nullopt;
  auto it = by_province_.find(province);
  if (it == by_province_.end()) return std::nullopt;
  return it->second;
}

void StatsCache::put(uint64_t height, const std::string& province, json value) {
  std::lock_guard lock(mu_);
  if (height != height_) {
    by_province_.clear();
    height_ = height;
  }
  by_province_[province] = std::move(value);
}

namespace {

struct Scan {
  ReadCtx& ctx;
  uint64_t visited = 0;
  bool over = false;

  // Visits the family of `some_key` (its first two bytes); false when the
  // scan went over Limits::stats_scan_max.
  template <typename T, typename F>
  bool each(const std::string& some_key, F&& fn) {
    std::string prefix = some_key.substr(0, 2);
    ctx.kv.scan(prefix, ledger::keys::family_end(prefix),
                [&](std::string_view, std::string_view v) {
                  if (++visited > ctx.limits.stats_scan_max) {
                    over = true;
                    return false;
                  }
                  T obj;
                  SUANLI_ASSERT_MSG(ledger::decode(v, obj), "corrupt ledger state value");
                  fn(obj);
                  return true;
                });
    return !over;
  }
};

uint64_t share_bps(size_t part, size_t whole) {
  return whole == 0 ? 0 : static_cast<uint64_t>(part) * 10000 / whole;
}

json supply(ReadCtx& ctx, Scan& scan, uint64_t* redeemed_out, const std::string& province) {
  ledger::Totals t = ctx.st.totals();
  uint64_t budgets = 0, available = 0, redeemed = 0;
  scan.each<ledger::Program>(ledger::keys::program(""), [&](const ledger::Program& p) {
    budgets += p.params.budget;
    available += ledger::program_available(p);
    if (province.empty() || p.params.province == province) redeemed += p.redeemed;
  });
  *redeemed_out = redeemed;
  return json{{"genesis_balances", t.genesis_balances},
              {"budgets", budgets},
              {"deposits", t.deposits},
              {"withdrawals", t.withdrawals},
              {"balances", t.balances},
              {"escrow", t.escrow},
              {"voucher_remaining", t.voucher_remaining},
              {"budget_available", available}};
}

}  // namespace

// With `province`: participants registered there, contracts whose provider is
// there, vouchers of its programme, "out of province" meaning registered
// elsewhere. Without: the whole ledger, "out of province" meaning the buyer's
// province differs from the provider's. Contracts rejected or cancelled are
// not counted. `supply` is always the whole ledger's.
MethodResult stats_get(ReadCtx& ctx, const json& params) {
  std::string province = str_param(params, "province");
  uint64_t height = ctx.st.meta_u64("height");
  if (ctx.stats_cache != nullptr) {
    if (auto cached = ctx.stats_cache->get(height, province)) return *cached;
  }
  Scan scan{ctx};
  std::unordered_map<std::string, std::string> province_of;  // raw pubkey -> province
  json by_role{{"regulator", 0}, {"provider", 0}, {"buyer", 0}};
  scan.each<ledger::Participant>(ledger::keys::participant(PubKey{}),
                                 [&](const ledger::Participant& p) {
                                   province_of[std::string(as_view(p.pubkey))] = p.province;
                                   if (province.empty() || p.province == province) {
                                     auto& n = by_role[std::string(ledger::role_name(p.role))];
                                     n = n.get<uint64_t>() + 1;
                                   }
                                 });
  auto where = [&](const PubKey& k) -> const std::string& {
    static const std::string kNone;
    auto it = province_of.find(std::string(as_view(k)));
    return it == province_of.end() ? kNone : it->second;
  };

  uint64_t contracts = 0, amount = 0, cross_settled = 0;
  std::set<PubKey> buyers, buyers_out;
  std::unordered_map<std::string, std::string> provider_province;  // raw contract id -> province
  scan.each<ledger::Contract>(ledger::keys::contract(Id16{}), [&](const ledger::Contract& c) {
    const std::string& provider_in = where(c.provider);
    provider_province[std::string(as_view(c.contract_id))] = provider_in;
    if (c.state == ledger::ContractState::kRejected ||
        c.state == ledger::ContractState::kCancelled) {
      return;
    }
    if (!province.empty() && provider_in != province) return;
    ++contracts;
    amount += c.amount;
    if (c.cross_province) cross_settled += c.settled;
    buyers.insert(c.buyer);
    bool out = province.empty() ? c.cross_province : where(c.buyer) != province;
    if (out) buyers_out.insert(c.buyer);
  });

  uint64_t vouchers = 0, voucher_amount = 0;
  std::set<PubKey> v_buyers, v_buyers_out;
  scan.each<ledger::Voucher>(ledger::keys::voucher(Hash32{}), [&](const ledger::Voucher& v) {
    if (!province.empty() && v.province != province) return;
    ++vouchers;
    voucher_amount += v.amount;
    v_buyers.insert(v.buyer);
    std::string reference = province;
    if (reference.empty()) {
      auto it = provider_province.find(std::string(as_view(v.contract_id)));
      reference = it == provider_province.end() ? v.province : it->second;
    }
    if (where(v.buyer) != reference) v_buyers_out.insert(v.buyer);
  });
  uint64_t redeemed = 0;
  json supply_block = supply(ctx, scan, &redeemed, province);
  if (scan.over) {
    return RpcError{errc::kBusy,
                    "stats_get: the state is larger than this node scans per call (" +
                        std::to_string(ctx.limits.stats_scan_max) + " entries)",
                    nullptr};
  }
  json out{{"participants", std::move(by_role)},
           {"contracts", json{{"count", contracts}, {"amount", amount}}},
           {"vouchers",
            json{{"count", vouchers},
                 {"amount", voucher_amount},
                 {"redeemed", redeemed},
                 {"out_of_province_share_bps", share_bps(v_buyers_out.size(), v_buyers.size())}}},
           {"out_of_province_buyer_share_bps", share_bps(buyers_out.size(), buyers.size())},
           {"cross_province_settled", cross_settled},
           {"supply", std::move(supply_block)}};
  if (!province.empty()) out["province"] = province;
  if (ctx.stats_cache != nullptr) ctx.stats_cache->put(height, province, out);
  return out;
}

}  // namespace suanli::rpc
