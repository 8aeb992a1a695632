// suanli-chaos: a cluster of 3 or 5 real suanlid processes under continuous
// load while nodes are killed (kill -9, the leader too) and restarted, paused
// (SIGSTOP/SIGCONT), partitioned (a minority or the leader alone, both ways),
// cut off in one direction only, and slowed (delay, bandwidth cap). Peers
// reach each other only through a fault-injecting TCP proxy (chaos_proxy.h):
// each node's membership address in the genesis is a proxy port, its listen
// address the real one; clients call the nodes' RPC ports directly.
// Clients record every transaction acknowledged as committed. At the end,
// healed, every node must acknowledge a new transaction, every acknowledged
// transaction must be committed on every node, every node must hold the same
// state hash and money must be conserved; and no node cut off from the
// majority may have acknowledged a transaction sent while it was cut off.
// Exit 0 only then.
//
//   suanli-chaos --suanlid PATH [--seconds 60] [--seed N] [--nodes 3|5] [--clients 4] [--keep]
//
// Faults are one at a time (chaos_faults.h), so a majority is always
// connected; what is tested is that nothing acknowledged is lost, that the
// majority goes on without a cut-off leader, and that the cluster recovers.
#include "tools/chaos_faults.h"

using namespace suanli;
using namespace suanli::bench;
using namespace suanli::chaos;

namespace {

struct ChaosOptions {
  std::string suanlid;
  double seconds = 60;
  uint64_t seed = 1;
  int nodes = 3;
  size_t clients = 4;
  bool keep = false;
};

ChaosOptions parse(int argc, char** argv) {
  ChaosOptions o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) die(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--suanlid") {
        o.suanlid = need(i);
      } else if (a == "--seconds") {
        o.seconds = std::stod(need(i));
      } else if (a == "--seed") {
        o.seed = std::stoull(need(i));
      } else if (a == "--nodes") {
        o.nodes = std::stoi(need(i));
      } else if (a == "--clients") {
        o.clients = std::stoul(need(i));
      } else if (a == "--keep") {
        o.keep = true;
      } else {
        die("unknown argument " + a +
            "\nusage: suanli-chaos --suanlid PATH [--seconds S] [--seed N] [--nodes 3|5] "
            "[--clients N] [--keep]");
      }
    }
  } catch (const std::exception&) {
    die("bad number in the arguments");
  }
  if (o.suanlid.empty()) die("--suanlid is required");
  if (o.seconds < 5 || o.seconds > 86400 || o.clients == 0 || o.clients > 64) {
    die("--seconds must be 5..86400 and --clients 1..64");
  }
  if (o.nodes != 3 && o.nodes != 5) die("--nodes must be 3 or 5");
  return o;
}

std::string tx_text(const ledger::Tx& tx) { return tx.canonical; }

// A transfer of 1 fen between two buyers, with a nonce unique to (a, b).
ledger::Tx transfer(const Accounts& a, size_t from, size_t to, uint64_t nonce_a, uint64_t nonce_b) {
  ledger::Tx tx;
  tx.chain_id = kChainId;
  tx.type = ledger::TxType::kTransfer;
  tx.signer = a.buyers[from].pubkey;
  uint64_t nonce[2] = {nonce_a, nonce_b};
  std::memcpy(tx.nonce.data(), nonce, sizeof(nonce));
  tx.expires_at = wall_ms() + 600000;
  tx.payload = ledger::Transfer{a.buyers[to].pubkey, 1, ""};
  ledger::sign_tx(tx, a.buyers[from].seed);
  return tx;
}

// Submits with wait: committed to node `node` and records the outcome.
// Returns true when the node acknowledged it as committed.
bool submit(KeepAliveClient& conn, int node, const ledger::Tx& tx, Tally& tally) {
  std::string body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tx_submit\",\"params\":{\"tx\":" +
                     tx_text(tx) + ",\"wait\":\"committed\",\"timeout_ms\":5000}}";
  const auto sent = Clock::now();
  auto r = conn.post(body, 8000);
  std::lock_guard lock(tally.mu);
  ++tally.submitted;
  if (!r) {
    ++tally.unknown;  // the node died or hung: the outcome is unknown
    return false;
  }
  auto j = json::parse(r->body, nullptr, false);
  if (j.is_object() && j.contains("result") && j["result"].value("status", "") == "committed") {
    // Stamped under the lock, so `acked` is in answer order.
    tally.acked.push_back(Ack{to_hex(tx.hash), node, sent, Clock::now()});
    return true;
  }
  if (j.is_object() && j.contains("error")) {
    ++tally.errors[j["error"].value("code", 0)];
  } else {
    ++tally.unknown;
  }
  return false;
}

// One client: transfers of 1 fen between random buyers, each submitted with
// wait: committed to a random node's RPC port (never through the proxy).
void client(Cluster& c, const Accounts& a, size_t id, uint64_t seed, std::atomic<bool>& stop,
            Tally& tally) {
  std::mt19937_64 rng(seed * 7919 + id);
  std::vector<std::unique_ptr<KeepAliveClient>> conns;
  for (const auto& n : c.nodes()) {
    conns.push_back(std::make_unique<KeepAliveClient>("127.0.0.1", n.rpc_port));
  }
  uint64_t k = 0;
  while (!stop.load()) {
    size_t from = rng() % a.buyers.size();
    size_t to = (from + 1 + rng() % (a.buyers.size() - 1)) % a.buyers.size();
    const int node = static_cast<int>(rng() % conns.size());
    submit(*conns[static_cast<size_t>(node)], node, transfer(a, from, to, id, ++k), tally);
  }
}

// Every node serves after the heal: each acknowledges a transfer of its own
// as committed within `timeout_s` (retrying refusals such as no_leader).
bool every_node_serves(Cluster& c, const Accounts& a, Tally& tally, double timeout_s) {
  bool all = true;
  for (int i = 0; i < c.size(); ++i) {
    KeepAliveClient conn("127.0.0.1", c.nodes()[static_cast<size_t>(i)].rpc_port);
    auto start = Clock::now();
    bool ok = false;
    for (uint64_t k = 1; !ok && secs_since(start) < timeout_s; ++k) {
      ok = submit(conn, i, transfer(a, static_cast<size_t>(i), static_cast<size_t>(i) + 1,
                                    1000 + static_cast<uint64_t>(i), k),
                  tally);
      if (!ok) sleep_s(0.2);
    }
    if (!ok) {
      say("FAIL: %s acknowledged no transfer within %.0f s of the heal",
          c.nodes()[static_cast<size_t>(i)].node_id.c_str(), timeout_s);
      all = false;
    }
  }
  return all;
}

// Calls `method` for each params on node i in JSON-RPC batches; the results
// (null for an error or no answer).
std::vector<json> batch_call(uint16_t port, const std::string& method,
                             const std::vector<json>& params) {
  std::vector<json> out(params.size());
  KeepAliveClient k("127.0.0.1", port);
  for (size_t lo = 0; lo < params.size(); lo += 500) {
    json batch = json::array();
    size_t hi = std::min(params.size(), lo + 500);
    for (size_t i = lo; i < hi; ++i) {
      batch.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", method}, {"params", params[i]}});
    }
    auto r = k.post(batch.dump(), 30000);
    if (!r) continue;
    auto j = json::parse(r->body, nullptr, false);
    if (!j.is_array()) continue;
    for (const auto& e : j) {
      if (e.contains("result") && e["id"].is_number_unsigned()) {
        size_t id = e["id"].get<size_t>();
        if (id < out.size()) out[id] = e["result"];
      }
    }
  }
  return out;
}

// Waits up to `timeout_s` for every node to answer with one height and state
// hash; returns them, or nullopt.
std::optional<std::pair<uint64_t, std::string>> converge(Cluster& c, double timeout_s) {
  auto start = Clock::now();
  while (secs_since(start) < timeout_s) {
    std::set<std::pair<uint64_t, std::string>> seen;
    for (const auto& n : c.nodes()) {
      KeepAliveClient k("127.0.0.1", n.rpc_port);
      auto r = k.call("node_status", json::object(), 2000);
      if (!r || !r->contains("result")) {
        seen.insert({0, "down"});
        continue;
      }
      seen.insert({(*r)["result"]["height"].get<uint64_t>(),
                    (*r)["result"]["state_hash"].get<std::string>()});
    }
    if (seen.size() == 1 && seen.begin()->second != "down") return *seen.begin();
    sleep_s(0.3);
  }
  return std::nullopt;
}

// Every acknowledged transaction is committed on every node; the number of
// (transaction, node) pairs found committed, and whether all were.
std::pair<uint64_t, bool> verify_acked(Cluster& c, const std::vector<Ack>& acked) {
  std::vector<json> lookups;
  for (const auto& a : acked) lookups.push_back({{"tx_hash", a.tx_hash}});
  uint64_t verified = 0;
  bool all = true;
  for (const auto& n : c.nodes()) {
    auto res = batch_call(n.rpc_port, "tx_get", lookups);
    uint64_t here = 0;
    for (size_t i = 0; i < res.size(); ++i) {
      if (res[i].is_object() && res[i].value("status", "") == "committed") {
        ++here;
      } else if (i - here < 5) {  // the first few are enough to look into
        say("FAIL: acknowledged %s is not committed on %s", acked[i].tx_hash.c_str(),
            n.node_id.c_str());
      }
    }
    if (here != res.size()) all = false;
    verified += here;
  }
  return {verified, all};
}

// Transfers move money between buyers only: their total never changes.
bool money_conserved(Cluster& c, const Accounts& accounts) {
  std::vector<json> who;
  for (const auto& b : accounts.buyers) who.push_back({{"pubkey", to_hex(b.pubkey)}});
  const uint64_t expected = accounts.buyers.size() * kBuyerBalanceFen;
  bool ok = true;
  for (const auto& n : c.nodes()) {
    uint64_t total = 0;
    for (const auto& p : batch_call(n.rpc_port, "participant_get", who)) {
      if (p.is_object()) total += p.value("balance", uint64_t{0});
    }
    if (total != expected) {
      say("FAIL: buyers on %s hold %llu fen, not %llu", n.node_id.c_str(),
          static_cast<unsigned long long>(total), static_cast<unsigned long long>(expected));
      ok = false;
    }
  }
  return ok;
}

using ull = unsigned long long;

}  // namespace

int main(int argc, char** argv) {
  ChaosOptions co = parse(argc, argv);
  ledger::crypto_init();
  ::signal(SIGPIPE, SIG_IGN);
  char tmpl[] = "/tmp/suanli-chaos-XXXXXX";
  if (!::mkdtemp(tmpl)) die("mkdtemp failed");
  std::string work = tmpl;
  say("chaos: %.0f s, seed %llu, %d nodes, work dir %s", co.seconds, static_cast<ull>(co.seed),
      co.nodes, work.c_str());

  Options o;
  o.suanlid = co.suanlid;
  Accounts accounts;
  accounts.regulator = key_for(1u << 31);
  for (size_t i = 0; i < 200; ++i) accounts.buyers.push_back(key_for(i));
  std::vector<std::string> ids;
  for (int i = 0; i < co.nodes; ++i) ids.push_back("n" + std::to_string(i + 1));  // as Cluster
  FaultProxy proxy(ids, co.seed);
  Cluster c(o, accounts, work, co.nodes,
            [&](int i, uint16_t listen_port) { return proxy.add_node(i, listen_port); });
  for (int i = 0; i < c.size(); ++i) {
    if (c.nodes()[static_cast<size_t>(i)].node_id != ids[static_cast<size_t>(i)]) {
      die("the proxy's node names differ from the cluster's");
    }
  }
  proxy.start();
  // Frequent snapshots and a short log: a restarted node often has to catch
  // up through a snapshot transfer, under faults too.
  c.set_extra_args({"--snapshot-interval", "300", "--snapshot-keep", "50"});
  c.start();
  if (c.wait_leader(30) < 0) die("no leader within 30 s; logs in " + work);

  Tally tally;
  FaultInjector injector(c, proxy, tally, co.seed);
  std::atomic<bool> stop_load{false}, stop_faults{false};
  std::vector<std::thread> clients;
  for (size_t i = 0; i < co.clients; ++i) {
    clients.emplace_back(client, std::ref(c), std::cref(accounts), i, co.seed,
                         std::ref(stop_load), std::ref(tally));
  }
  std::thread faulter([&] { injector.run(stop_faults); });
  int crashed = -1;
  auto start = Clock::now();
  while (secs_since(start) < co.seconds && crashed < 0) {
    sleep_s(0.2);
    crashed = c.crashed();
  }
  stop_faults = true;
  faulter.join();  // it heals the proxy's links before it returns
  stop_load = true;
  for (auto& t : clients) t.join();
  if (crashed < 0) crashed = c.crashed();
  const FaultCounts& f = injector.counts();
  bool ok = f.failures.empty();
  if (!injector.every_kind_ran() || f.kills == 0 || f.pauses == 0 || f.partitions == 0 ||
      f.one_way == 0 || f.slow == 0) {
    say("FAIL: not every kind of fault ran");
    ok = false;
  }
  if (crashed >= 0) {
    const NodeProc& n = c.nodes()[static_cast<size_t>(crashed)];
    say("FAIL: %s exited by itself; see %s", n.node_id.c_str(), n.log.c_str());
    ok = false;
  }

  // Heal: every node up and serving, then the same height and state hash everywhere.
  for (int i = 0; i < c.size(); ++i) {
    c.signal(i, SIGCONT);
    c.start_one(i);
  }
  if (!every_node_serves(c, accounts, tally, 60)) ok = false;
  auto converged = converge(c, 60);
  if (!converged) {
    say("FAIL: the nodes did not reach the same height and state hash within 60 s");
    ok = false;
  }
  auto [verified, all_verified] = verify_acked(c, tally.acked);
  if (!all_verified || !money_conserved(c, accounts)) ok = false;

  uint64_t errors = 0;
  for (auto [code, count] : tally.errors) errors += count;
  const ProxyStats ps = proxy.stats();
  std::printf("chaos: %s — %.0f s, seed %llu, %d nodes: %llu kills (%llu of the leader), "
              "%llu pauses, %llu partitions (%llu leader isolations), %llu one-way, %llu slow; "
              "%llu submitted, %llu acknowledged as committed, %llu verified (x%d nodes); "
              "%llu errors, %llu unknown outcomes; proxy: %llu connections, %llu refused, "
              "%llu reset; height %llu, state hash %.16s\n",
              ok ? "ok" : "FAILED", secs_since(start), static_cast<ull>(co.seed), c.size(),
              static_cast<ull>(f.kills), static_cast<ull>(f.leader_kills),
              static_cast<ull>(f.pauses), static_cast<ull>(f.partitions),
              static_cast<ull>(f.leader_isolations), static_cast<ull>(f.one_way),
              static_cast<ull>(f.slow), static_cast<ull>(tally.submitted),
              static_cast<ull>(tally.acked.size()), static_cast<ull>(verified), c.size(),
              static_cast<ull>(errors), static_cast<ull>(tally.unknown),
              static_cast<ull>(ps.accepted), static_cast<ull>(ps.refused),
              static_cast<ull>(ps.resets), static_cast<ull>(converged ? converged->first : 0),
              converged ? converged->second.c_str() : "");
  c.stop();
  proxy.stop();
  if (ok && !co.keep) fs::remove_all(work);
  if (!ok) say("logs kept in %s", work.c_str());
  return ok ? 0 : 1;
}
