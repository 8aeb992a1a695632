// Queries: balance, contract show/list, voucher show/list, settlement show,
// program show, status. Tables for people, the node's JSON with --json.
#include <iostream>

#include "wallet/cli.h"
#include "wallet/table.h"
#include "wallet/tx_build.h"

namespace suanli::wallet {
namespace po = boost::program_options;
namespace {

using json = nlohmann::json;

std::string money(const json& j, const char* key) { return yuan(j.value(key, uint64_t{0})); }
std::string num(const json& j, const char* key) {
  return std::to_string(j.value(key, uint64_t{0}));
}
std::string str(const json& j, const char* key) { return j.value(key, std::string()); }

// Prints `result` as JSON when --json, else runs `human`.
template <typename F>
int show(const Context& ctx, const json& result, F human) {
  if (ctx.json()) {
    print_json(result);
  } else {
    human(result);
  }
  return kExitOk;
}

void check_hex(const std::string& what, const std::string& text, size_t hex_chars) {
  bool ok =
      text.size() == hex_chars && text.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!ok)
    usage_error(what + ": '" + text + "' must be " + std::to_string(hex_chars) + " lowercase hex");
}

int balance(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("balance");
  po::variables_map vm;
  if (!parse_args(args, "balance NAME|PUBKEY", desc, {"WHO"}, vm)) return kExitOk;
  std::string pk = to_hex(ctx.resolve_party("NAME|PUBKEY", vm["WHO"].as<std::string>()));
  return show(ctx, ctx.call("participant_get", {{"pubkey", pk}}).result, [](const json& p) {
    Fields f;
    f.add("name", str(p, "name"));
    f.add("role", str(p, "role") + ", " + str(p, "province") +
                      (p.value("frozen", false) ? ", FROZEN" : ""));
    f.add("pubkey", str(p, "pubkey"));
    f.add("balance", money(p, "balance"));
    std::cout << f.render();
  });
}

void add_list_filters(po::options_description& desc, const std::vector<std::string>& filters) {
  for (const auto& f : filters) desc.add_options()(f.c_str(), po::value<std::string>(), "filter");
  desc.add_options()("limit", po::value<std::string>()->default_value("100"), "at most N (1..100)")(
      "cursor", po::value<std::string>(), "the page after an earlier answer's next cursor")(
      "all", "every page, following the cursors (at most 10,000 items)");
}

constexpr size_t kListAllMax = 10000;

// One page of `method` (from --cursor when given), or with --all every page
// up to kListAllMax items: {"items", "next_cursor"}.
json fetch_list(const Context& ctx, const std::string& method, json params,
                const po::variables_map& vm) {
  if (vm.count("cursor")) params["cursor"] = vm["cursor"].as<std::string>();
  json page = ctx.call(method, params).result;
  if (!vm.count("all")) return page;
  json items = page.value("items", json::array());
  while (page.value("next_cursor", json()).is_string() && items.size() < kListAllMax) {
    params["cursor"] = page["next_cursor"];
    page = ctx.call(method, params).result;
    for (auto& item : page.value("items", json::array())) items.push_back(std::move(item));
  }
  return json{{"items", std::move(items)}, {"next_cursor", page.value("next_cursor", json())}};
}

// Under a table: how to get the next page, when there is one.
void print_more(const json& res) {
  const json next = res.value("next_cursor", json());
  if (next.is_string()) std::cout << "more: --cursor " << next.get<std::string>() << "\n";
}

json list_params(const Context& ctx, const po::variables_map& vm,
                 const std::vector<std::string>& filters, const std::vector<std::string>& parties) {
  json params = {{"limit", parse_count("--limit", vm["limit"].as<std::string>())}};
  for (const auto& f : filters) {
    if (!vm.count(f)) continue;
    std::string v = vm[f].as<std::string>();
    bool party = std::find(parties.begin(), parties.end(), f) != parties.end();
    params[f] = party ? to_hex(ctx.resolve_party("--" + f, v)) : v;
  }
  return params;
}

int contract_show(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("contract show");
  po::variables_map vm;
  if (!parse_args(args, "contract show ID", desc, {"ID"}, vm)) return kExitOk;
  std::string id = vm["ID"].as<std::string>();
  check_hex("ID", id, 32);
  return show(ctx, ctx.call("contract_get", {{"contract_id", id}}).result, [&](const json& c) {
    Fields f;
    const json& r = c["resource"];
    f.add("contract", str(c, "contract_id"));
    f.add("state", str(c, "state"));
    f.add("buyer", ctx.party_name(str(c, "buyer")));
    f.add("provider", ctx.party_name(str(c, "provider")));
    f.add("resource", str(r, "class") + " " + str(r, "model") + ", " + str(r, "unit"));
    f.add("quantity", num(c, "quantity") + " at " + money(c, "unit_price"));
    f.add("amount", money(c, "amount"));
    f.add("delivered", num(c, "delivered") + ", paid " + money(c, "settled"));
    f.add("escrow", money(c["escrow"], "buyer_funded") + " buyer-funded, " +
                        money(c["escrow"], "voucher_funded") + " from vouchers");
    for (const auto& d : c.value("deductions", json::array())) {
      f.add("deduction", money(d, "amount") + " from voucher " + str(d, "voucher_id"));
    }
    std::cout << f.render();
    if (c.value("deliveries", json::array()).empty()) return;
    Table t({"SEQ", "QUANTITY", "ACCEPTED", "STATE", "EVIDENCE"}, {true, true, true, false, false});
    for (const auto& d : c["deliveries"]) {
      t.add({num(d, "seq"), num(d, "quantity"),
             d.contains("accepted_quantity") ? num(d, "accepted_quantity") : "", str(d, "state"),
             str(d, "evidence").substr(0, 16) + "…"});
    }
    std::cout << "\n" << t.render();
  });
}

int contract_list(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("contract list");
  const std::vector<std::string> filters = {"buyer", "provider", "state"};
  add_list_filters(desc, filters);
  po::variables_map vm;
  if (!parse_args(args, "contract list [--buyer W] [--provider W] [--state S]", desc, {}, vm)) {
    return kExitOk;
  }
  json params = list_params(ctx, vm, filters, {"buyer", "provider"});
  return show(ctx, fetch_list(ctx, "contract_list", params, vm), [&](const json& res) {
    Table t({"CONTRACT", "BUYER", "PROVIDER", "QUANTITY", "AMOUNT", "STATE"},
            {false, false, false, true, true, false});
    for (const auto& c : res["items"]) {
      t.add({str(c, "contract_id"), ctx.party_name(str(c, "buyer")),
             ctx.party_name(str(c, "provider")), num(c, "quantity"), money(c, "amount"),
             str(c, "state")});
    }
    std::cout << t.render();
    print_more(res);
  });
}

void voucher_fields(const Context& ctx, const json& v) {
  Fields f;
  f.add("voucher", str(v, "voucher_id"));
  f.add("state", str(v, "state"));
  f.add("programme", str(v, "province"));
  f.add("buyer", ctx.party_name(str(v, "buyer")));
  f.add("contract", str(v, "contract_id"));
  f.add("amount", money(v, "amount"));
  f.add("remaining", money(v, "remaining"));
  std::cout << f.render();
}

int voucher_show(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("voucher show");
  po::variables_map vm;
  if (!parse_args(args, "voucher show ID", desc, {"ID"}, vm)) return kExitOk;
  std::string id = vm["ID"].as<std::string>();
  check_hex("ID", id, 64);
  return show(ctx, ctx.call("voucher_get", {{"voucher_id", id}}).result,
              [&](const json& v) { voucher_fields(ctx, v); });
}

int voucher_list(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("voucher list");
  const std::vector<std::string> filters = {"buyer", "province", "state"};
  add_list_filters(desc, filters);
  po::variables_map vm;
  if (!parse_args(args, "voucher list [--buyer W] [--province P] [--state S]", desc, {}, vm)) {
    return kExitOk;
  }
  json params = list_params(ctx, vm, filters, {"buyer"});
  return show(ctx, fetch_list(ctx, "voucher_list", params, vm), [&](const json& res) {
    Table t({"VOUCHER", "PROGRAMME", "BUYER", "AMOUNT", "REMAINING", "STATE"},
            {false, false, false, true, true, false});
    for (const auto& v : res["items"]) {
      t.add({str(v, "voucher_id"), str(v, "province"), ctx.party_name(str(v, "buyer")),
             money(v, "amount"), money(v, "remaining"), str(v, "state")});
    }
    std::cout << t.render();
    print_more(res);
  });
}

int settlement_show(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("settlement show");
  po::variables_map vm;
  if (!parse_args(args, "settlement show [PERIOD]   (default: the open period)", desc, {"PERIOD?"},
                  vm)) {
    return kExitOk;
  }
  RpcReply r = vm.count("PERIOD")
                   ? ctx.call("settlement_get",
                              {{"period", parse_count("PERIOD", vm["PERIOD"].as<std::string>())}})
                   : ctx.call("settlement_current", json::object());
  return show(ctx, r.result, [&](const json& s) {
    std::cout << "period " << num(s, "period") << ": " << str(s, "status") << " (blocks "
              << num(s, "from_height") << ".." << num(s, "to_height") << ")\n\n";
    Table flows({"FROM", "TO", "AMOUNT", "PAYMENTS"}, {false, false, true, true});
    for (const auto& f : s["flows"]) {
      flows.add({str(f, "from"), str(f, "to"), money(f, "amount"), num(f, "count")});
    }
    std::cout << flows.render() << "\n";
    Table net({"PROVINCE", "NET"}, {false, true});
    for (const auto& n : s["net"]) {
      int64_t a = n.value("amount", int64_t{0});
      net.add(
          {str(n, "province"), (a < 0 ? "-" : "+") + yuan(static_cast<uint64_t>(a < 0 ? -a : a))});
    }
    std::cout << net.render();
    for (const auto& sig : s.value("signatures", json::array())) {
      std::cout << "signed by " << str(sig, "province") << " ("
                << ctx.party_name(str(sig, "signer")) << ") at block " << num(sig, "height")
                << "\n";
    }
    for (const auto& u : s.value("unattested", json::array())) {
      std::cout << "unattested: " << u.get<std::string>() << "\n";
    }
  });
}

int program_show(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("program show");
  po::variables_map vm;
  if (!parse_args(args, "program show PROVINCE", desc, {"PROVINCE"}, vm)) return kExitOk;
  json params = {{"province", vm["PROVINCE"].as<std::string>()}};
  return show(ctx, ctx.call("program_get", params).result, [](const json& p) {
    Fields f;
    uint64_t bps = p.value("rate_bps", uint64_t{0});
    f.add("programme", str(p, "province") + " (basis: " + str(p, "basis") + ")");
    f.add("rate", std::to_string(bps / 100) + "." + std::to_string(bps % 100 / 10) +
                      std::to_string(bps % 10) + "%");
    f.add("per voucher", "at most " + money(p, "max_per_voucher"));
    f.add("per buyer/year", "at most " + money(p, "max_per_buyer_per_year"));
    f.add("max term", num(p, "max_term_ms") + " ms");
    f.add("validity", num(p, "validity_ms") + " ms");
    f.add("budget", money(p, "budget"));
    f.add("issued", money(p, "issued"));
    f.add("redeemed", money(p, "redeemed"));
    f.add("available", money(p, "available"));
    std::cout << f.render();
  });
}

int status(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("status");
  po::variables_map vm;
  if (!parse_args(args, "status", desc, {}, vm)) return kExitOk;
  return show(ctx, ctx.call("node_status", json::object()).result, [&](const json& s) {
    Fields f;
    f.add("node", str(s, "node_id") + " (" + str(s, "role") + ", term " + num(s, "term") + ")");
    f.add("leader", str(s, "leader_id"));
    f.add("height", num(s, "height"));
    f.add("state hash", str(s, "state_hash"));
    f.add("mempool", num(s, "mempool"));
    f.add("version", str(s, "version"));
    std::string url = ctx.options().node;
    if (url.find("://") == std::string::npos) url = "http://" + url;
    if (url.back() != '/') url += "/";
    f.add("explorer", url);
    std::cout << f.render();
    Table t({"PEER", "ADDRESS", "CONNECTED", "MATCH"}, {false, false, false, true});
    for (const auto& p : s.value("peers", json::array())) {
      t.add({str(p, "node_id"), str(p, "address"), p.value("connected", false) ? "yes" : "no",
             num(p, "match_index")});
    }
    if (t.rows() > 0) std::cout << "\n" << t.render();
  });
}

}  // namespace

void add_query_commands(std::vector<Command>& out) {
  out.push_back({{"balance"}, "a participant's balance (key name or pubkey)", balance});
  out.push_back({{"contract", "show"}, "a contract and its deliveries", contract_show});
  out.push_back({{"contract", "list"}, "contracts (--buyer, --provider, --state)", contract_list});
  out.push_back({{"voucher", "show"}, "a voucher", voucher_show});
  out.push_back({{"voucher", "list"}, "vouchers (--buyer, --province, --state)", voucher_list});
  out.push_back({{"settlement", "show"}, "a settlement statement", settlement_show});
  out.push_back({{"program", "show"}, "a voucher programme", program_show});
  out.push_back({{"status"}, "the node's status", status});
}

}  // namespace suanli::wallet
