// suanli-chaos: a 3-node cluster of real suanlid processes under continuous
// load while nodes are killed (kill -9, the leader too) and restarted, and
// paused (SIGSTOP/SIGCONT). Clients record every transaction acknowledged as
// committed. At the end every acknowledged transaction must be committed on
// every node, every node must hold the same state hash, money must be
// conserved, and every node must serve. Exit 0 only then.
//
//   suanli-chaos --suanlid PATH [--seconds 60] [--seed N] [--clients 4] [--keep]
//
// Faults are one at a time, so a quorum always exists between them; what is
// tested is that nothing acknowledged is lost and that the cluster recovers.
#include <signal.h>

#include "tools/bench_cluster.h"

using namespace suanli;
using namespace suanli::bench;

namespace {

struct ChaosOptions {
  std::string suanlid;
  double seconds = 60;
  uint64_t seed = 1;
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
      } else if (a == "--clients") {
        o.clients = std::stoul(need(i));
      } else if (a == "--keep") {
        o.keep = true;
      } else {
        die("unknown argument " + a +
            "\nusage: suanli-chaos --suanlid PATH [--seconds S] [--seed N] [--clients N] [--keep]");
      }
    }
  } catch (const std::exception&) {
    die("bad number in the arguments");
  }
  if (o.suanlid.empty()) die("--suanlid is required");
  if (o.seconds < 5 || o.seconds > 86400 || o.clients == 0 || o.clients > 64) {
    die("--seconds must be 5..86400 and --clients 1..64");
  }
  return o;
}

struct Tally {
  std::mutex mu;
  std::vector<std::string> acked;  // tx hashes acknowledged as committed
  uint64_t submitted = 0, unknown = 0;
  std::map<int, uint64_t> errors;  // JSON-RPC error code -> count
};

std::string tx_text(const ledger::Tx& tx) { return tx.canonical; }

// One client: transfers of 1 fen between random buyers, each submitted with
// wait: committed to a random node.
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
    ledger::Tx tx;
    tx.chain_id = kChainId;
    tx.type = ledger::TxType::kTransfer;
    tx.signer = a.buyers[from].pubkey;
    uint64_t nonce[2] = {id, ++k};
    std::memcpy(tx.nonce.data(), nonce, sizeof(nonce));
    tx.expires_at = wall_ms() + 600000;
    tx.payload = ledger::Transfer{a.buyers[to].pubkey, 1, ""};
    ledger::sign_tx(tx, a.buyers[from].seed);
    std::string body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tx_submit\",\"params\":{\"tx\":" +
                       tx_text(tx) + ",\"wait\":\"committed\",\"timeout_ms\":5000}}";
    auto r = conns[rng() % conns.size()]->post(body, 8000);
    std::lock_guard lock(tally.mu);
    ++tally.submitted;
    if (!r) {
      ++tally.unknown;  // the node died or hung: the outcome is unknown
      continue;
    }
    auto j = json::parse(r->body, nullptr, false);
    if (j.is_object() && j.contains("result") && j["result"].value("status", "") == "committed") {
      tally.acked.push_back(to_hex(tx.hash));
    } else if (j.is_object() && j.contains("error")) {
      ++tally.errors[j["error"].value("code", 0)];
    } else {
      ++tally.unknown;
    }
  }
}

struct Faults {
  uint64_t kills = 0, leader_kills = 0, pauses = 0;
};

int leader_of(Cluster& c) {
  for (int i = 0; i < kNodes; ++i) {
    if (c.nodes()[i].pid <= 0) continue;
    KeepAliveClient k("127.0.0.1", c.nodes()[i].rpc_port);
    auto r = k.call("node_status", json::object(), 500);
    if (r && r->contains("result") && (*r)["result"].value("role", "") == "leader") return i;
  }
  return -1;
}

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

// One fault at a time: kill -9 (half the time the leader) and restart, or a
// pause of a few seconds.
void inject(Cluster& c, uint64_t seed, std::atomic<bool>& stop, Faults& f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> gap(1.0, 3.0), down(0.3, 2.5);
  while (!stop.load()) {
    sleep_s(gap(rng));
    if (stop.load()) break;
    int victim = static_cast<int>(rng() % kNodes);
    int leader = leader_of(c);
    if (rng() % 2 == 0 && leader >= 0) victim = leader;
    if (rng() % 3 != 0) {
      ++f.kills;
      if (victim == leader) ++f.leader_kills;
      say("kill -9 %s%s", c.nodes()[victim].node_id.c_str(), victim == leader ? " (leader)" : "");
      c.kill9(victim);
      sleep_s(down(rng));
      c.start_one(victim);
    } else {
      ++f.pauses;
      say("pause %s%s", c.nodes()[victim].node_id.c_str(), victim == leader ? " (leader)" : "");
      c.signal(victim, SIGSTOP);
      sleep_s(down(rng) + 1.0);
      c.signal(victim, SIGCONT);
    }
  }
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

}  // namespace

int main(int argc, char** argv) {
  ChaosOptions co = parse(argc, argv);
  ledger::crypto_init();
  ::signal(SIGPIPE, SIG_IGN);
  char tmpl[] = "/tmp/suanli-chaos-XXXXXX";
  if (!::mkdtemp(tmpl)) die("mkdtemp failed");
  std::string work = tmpl;
  say("chaos: %.0f s, seed %llu, work dir %s", co.seconds,
      static_cast<unsigned long long>(co.seed), work.c_str());

  Options o;
  o.suanlid = co.suanlid;
  Accounts accounts;
  accounts.regulator = key_for(1u << 31);
  for (size_t i = 0; i < 200; ++i) accounts.buyers.push_back(key_for(i));
  Cluster c(o, accounts, work);
  // Frequent snapshots and a short log: a restarted node often has to catch
  // up through a snapshot transfer, under faults too.
  c.set_extra_args({"--snapshot-interval", "300", "--snapshot-keep", "50"});
  c.start();
  if (c.wait_leader(30) < 0) die("no leader within 30 s; logs in " + work);

  Tally tally;
  Faults faults;
  std::atomic<bool> stop_load{false}, stop_faults{false};
  std::vector<std::thread> clients;
  for (size_t i = 0; i < co.clients; ++i) {
    clients.emplace_back(client, std::ref(c), std::cref(accounts), i, co.seed,
                         std::ref(stop_load), std::ref(tally));
  }
  std::thread faulter(inject, std::ref(c), co.seed, std::ref(stop_faults), std::ref(faults));
  int crashed = -1;
  auto start = Clock::now();
  while (secs_since(start) < co.seconds && crashed < 0) {
    sleep_s(0.2);
    crashed = c.crashed();
  }
  stop_faults = true;
  faulter.join();
  stop_load = true;
  for (auto& t : clients) t.join();
  if (crashed < 0) crashed = c.crashed();
  bool ok = true;
  if (crashed >= 0) {
    say("FAIL: %s exited by itself; see %s", c.nodes()[crashed].node_id.c_str(),
        c.nodes()[crashed].log.c_str());
    ok = false;
  }

  // Heal: every node up, then the same height and state hash everywhere.
  for (int i = 0; i < kNodes; ++i) {
    c.signal(i, SIGCONT);
    c.start_one(i);
  }
  std::string hash;
  uint64_t height = 0;
  bool converged = false;
  auto heal = Clock::now();
  while (!converged && secs_since(heal) < 60) {
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
    converged = seen.size() == 1 && seen.begin()->second != "down";
    if (converged) std::tie(height, hash) = *seen.begin();
    if (!converged) sleep_s(0.3);
  }
  if (!converged) {
    say("FAIL: the nodes did not reach the same height and state hash within 60 s");
    ok = false;
  }

  // Every acknowledged transaction is committed on every node.
  std::vector<json> lookups;
  for (const auto& h : tally.acked) lookups.push_back({{"tx_hash", h}});
  uint64_t verified = 0;
  for (const auto& n : c.nodes()) {
    auto res = batch_call(n.rpc_port, "tx_get", lookups);
    uint64_t here = 0;
    for (size_t i = 0; i < res.size(); ++i) {
      if (res[i].is_object() && res[i].value("status", "") == "committed") {
        ++here;
      } else if (i - here < 5) {  // the first few are enough to look into
        say("FAIL: acknowledged %s is not committed on %s", tally.acked[i].c_str(),
            n.node_id.c_str());
      }
    }
    if (here != res.size()) ok = false;
    verified += here;
  }
  // Transfers move money between buyers only: their total never changes.
  std::vector<json> who;
  for (const auto& b : accounts.buyers) who.push_back({{"pubkey", to_hex(b.pubkey)}});
  const uint64_t expected = accounts.buyers.size() * kBuyerBalanceFen;
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
  uint64_t errors = 0;
  for (auto [code, count] : tally.errors) errors += count;
  std::printf("chaos: %s — %.0f s, seed %llu: %llu kills (%llu of the leader), %llu pauses; "
              "%llu submitted, %llu acknowledged as committed, %llu verified on %d nodes; "
              "%llu errors, %llu unknown outcomes; height %llu, state hash %.16s\n",
              ok ? "ok" : "FAILED", secs_since(start), static_cast<unsigned long long>(co.seed),
              static_cast<unsigned long long>(faults.kills),
              static_cast<unsigned long long>(faults.leader_kills),
              static_cast<unsigned long long>(faults.pauses),
              static_cast<unsigned long long>(tally.submitted),
              static_cast<unsigned long long>(tally.acked.size()),
              static_cast<unsigned long long>(verified), kNodes,
              static_cast<unsigned long long>(errors),
              static_cast<unsigned long long>(tally.unknown),
              static_cast<unsigned long long>(height), hash.c_str());
  c.stop();
  if (ok && !co.keep) fs::remove_all(work);
  if (!ok) say("logs kept in %s", work.c_str());
  return ok ? 0 : 1;
}
