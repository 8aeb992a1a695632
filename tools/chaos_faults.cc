// suanli-chaos's fault injector (see chaos_faults.h).
#include "tools/chaos_faults.h"

#include <signal.h>

namespace suanli::chaos {
using namespace suanli::bench;

namespace {

// Generous for an election (0.5-1 s here) on a loaded CI machine.
constexpr double kNewLeaderTimeoutS = 20;
// check_quorum makes an isolated leader step down after one election timeout.
constexpr double kIsolatedLeaderStepDownS = 3;

std::string names(const Cluster& c, const std::vector<int>& nodes) {
  std::string out;
  for (int i : nodes) out += (out.empty() ? "" : ",") + c.nodes()[static_cast<size_t>(i)].node_id;
  return out;
}

bool contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string role_of(const Cluster& c, int i) {
  KeepAliveClient k("127.0.0.1", c.nodes()[static_cast<size_t>(i)].rpc_port);
  auto r = k.call("node_status", json::object(), 1000);
  if (!r || !r->contains("result")) return "";
  return (*r)["result"].value("role", "");
}

}  // namespace

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

int leader_of(Cluster& c) {
  for (int i = 0; i < c.size(); ++i) {
    if (c.nodes()[static_cast<size_t>(i)].pid > 0 && role_of(c, i) == "leader") return i;
  }
  return -1;
}

int FaultInjector::leader_among(const std::vector<int>& nodes) {
  for (int i : nodes) {
    if (c_.nodes()[static_cast<size_t>(i)].pid > 0 && role_of(c_, i) == "leader") return i;
  }
  return -1;
}

void FaultInjector::fail(std::string what) {
  say("FAIL: %s", what.c_str());
  counts_.failures.push_back(std::move(what));
}

FaultInjector::Kind FaultInjector::draw() {
  if (deck_.empty()) {
    deck_ = {Kind::kKill,          Kind::kKillLeader, Kind::kPause, Kind::kPartition,
             Kind::kIsolateLeader, Kind::kOneWay,     Kind::kSlow};
    std::shuffle(deck_.begin(), deck_.end(), rng_);
  }
  Kind k = deck_.back();
  deck_.pop_back();
  ++draws_;
  return k;
}

void FaultInjector::run(const std::atomic<bool>& stop) {
  while (!stop.load() || !every_kind_ran()) {
    sleep_s(uniform(1.0, 3.0));
    if (stop.load() && every_kind_ran()) break;
    switch (draw()) {
      case Kind::kKill: kill(false); break;
      case Kind::kKillLeader: kill(true); break;
      case Kind::kPause: pause(); break;
      case Kind::kPartition: partition(false); break;
      case Kind::kIsolateLeader: partition(true); break;
      case Kind::kOneWay: one_way(); break;
      case Kind::kSlow: slow(); break;
    }
  }
  heal_all(true);
}

void FaultInjector::kill(bool leader) {
  int victim = static_cast<int>(rng_() % static_cast<uint64_t>(c_.size()));
  const int lead = leader_of(c_);
  if (leader && lead >= 0) victim = lead;
  ++counts_.kills;
  if (victim == lead) ++counts_.leader_kills;
  const auto& id = c_.nodes()[static_cast<size_t>(victim)].node_id;
  say("kill -9 %s%s", id.c_str(), victim == lead ? " (leader)" : "");
  c_.kill9(victim);
  sleep_s(uniform(0.3, 2.5));
  c_.start_one(victim);
}

void FaultInjector::pause() {
  int victim = static_cast<int>(rng_() % static_cast<uint64_t>(c_.size()));
  const int lead = leader_of(c_);
  if (rng_() % 2 == 0 && lead >= 0) victim = lead;
  ++counts_.pauses;
  const auto& id = c_.nodes()[static_cast<size_t>(victim)].node_id;
  say("pause %s%s", id.c_str(), victim == lead ? " (leader)" : "");
  c_.signal(victim, SIGSTOP);
  sleep_s(uniform(1.3, 3.5));
  c_.signal(victim, SIGCONT);
}

void FaultInjector::split(const std::vector<int>& minority, bool cut) {
  for (int a : minority) {
    for (int b = 0; b < c_.size(); ++b) {
      if (contains(minority, b)) continue;
      for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
        if (cut) {
          proxy_.cut(from, to);
        } else {
          proxy_.block(from, to);
        }
      }
    }
  }
}

void FaultInjector::heal_all(bool reset) {
  for (int a = 0; a < c_.size(); ++a) {
    for (int b = 0; b < c_.size(); ++b) {
      if (a != b) proxy_.heal(a, b, reset && a < b);  // a reset closes both ways at once
    }
  }
}

// A symmetric partition: a minority (the leader alone, or 1..(n-1)/2 random
// nodes) against the rest, by black hole or cut.
void FaultInjector::partition(bool leader) {
  const int n = c_.size();
  std::vector<int> all(static_cast<size_t>(n));
  std::iota(all.begin(), all.end(), 0);
  std::shuffle(all.begin(), all.end(), rng_);
  const int lead = leader ? leader_of(c_) : -1;
  std::vector<int> minority;
  if (lead >= 0) {
    minority = {lead};
  } else {
    const auto size = 1 + rng_() % static_cast<uint64_t>((n - 1) / 2);
    minority.assign(all.begin(), all.begin() + static_cast<long>(size));
  }
  const bool cut = rng_() % 2 == 0;
  ++counts_.partitions;
  if (lead >= 0) ++counts_.leader_isolations;
  say("partition %s%s from the rest (%s)", names(c_, minority).c_str(),
      lead >= 0 ? " (leader)" : "", cut ? "cut" : "black hole");
  split(minority, cut);
  const auto since = Clock::now();
  const double hold_s = lead >= 0 ? uniform(kIsolatedLeaderStepDownS, 5) : uniform(1.5, 4);
  if (lead >= 0 && !majority_progresses(minority, since, kNewLeaderTimeoutS)) {
    fail("no new leader acknowledging transactions within " +
         std::to_string(static_cast<int>(kNewLeaderTimeoutS)) + " s of isolating the leader " +
         names(c_, minority));
  }
  sleep_s(std::max(0.0, hold_s - secs_since(since)));
  if (lead >= 0 && role_of(c_, lead) == "leader") {
    fail("the isolated " + names(c_, minority) + " still says it leads after " +
         std::to_string(secs_since(since)) + " s");
  }
  const auto healed = Clock::now();
  heal_all(cut || rng_() % 2 == 0);
  check_no_minority_acks(minority, since, healed);
}

// One direction only: a node's outgoing or incoming bytes, or one pair's.
void FaultInjector::one_way() {
  const int n = c_.size();
  int x = static_cast<int>(rng_() % static_cast<uint64_t>(n));
  const int lead = leader_of(c_);
  if (rng_() % 2 == 0 && lead >= 0) x = lead;
  const int y = (x + 1 + static_cast<int>(rng_() % static_cast<uint64_t>(n - 1))) % n;
  const auto shape = rng_() % 3;  // 0: x sends to none, 1: x hears none, 2: x -> y only
  const bool cut = rng_() % 2 == 0;
  ++counts_.one_way;
  const auto& xid = c_.nodes()[static_cast<size_t>(x)].node_id;
  const auto& yid = c_.nodes()[static_cast<size_t>(y)].node_id;
  say("one-way %s: %s%s %s (%s)", shape == 0 ? "out" : shape == 1 ? "in" : "pair", xid.c_str(),
      x == lead ? " (leader)" : "",
      shape == 0 ? "reaches no one" : shape == 1 ? "hears no one" : ("cannot reach " + yid).c_str(),
      cut ? "cut" : "black hole");
  for (int other = 0; other < n; ++other) {
    if (other == x || (shape == 2 && other != y)) continue;
    const int from = shape == 1 ? other : x;
    const int to = shape == 1 ? x : other;
    if (cut) {
      proxy_.cut(from, to);
    } else {
      proxy_.block(from, to);
    }
  }
  sleep_s(uniform(1.5, 4));
  heal_all(cut || rng_() % 2 == 0);
}

// A slow node: every link to and from it delayed and/or capped.
void FaultInjector::slow() {
  const int n = c_.size();
  int x = static_cast<int>(rng_() % static_cast<uint64_t>(n));
  const int lead = leader_of(c_);
  if (rng_() % 2 == 0 && lead >= 0) x = lead;
  SlowLink s;
  const auto shape = rng_() % 3;  // 0: delay, 1: bandwidth, 2: both
  if (shape != 1) {
    s.delay_ms_min = 20;
    s.delay_ms_max = static_cast<uint32_t>(50 + rng_() % 151);
  }
  if (shape != 0) s.bytes_per_s = (rng_() % 2 == 0 ? 256u : 1024u) << 10;
  ++counts_.slow;
  const std::string cap =
      s.bytes_per_s ? std::to_string(s.bytes_per_s >> 10) + " KiB/s cap" : "no cap";
  say("slow %s%s: %u-%u ms per chunk, %s", c_.nodes()[static_cast<size_t>(x)].node_id.c_str(),
      x == lead ? " (leader)" : "", s.delay_ms_min, s.delay_ms_max, cap.c_str());
  for (int other = 0; other < n; ++other) {
    if (other == x) continue;
    proxy_.slow(x, other, s);
    proxy_.slow(other, x, s);
  }
  sleep_s(uniform(2, 5));
  heal_all(false);
}

bool FaultInjector::majority_progresses(const std::vector<int>& minority, Clock::time_point since,
                                        double timeout_s) {
  std::vector<int> majority;
  for (int i = 0; i < c_.size(); ++i) {
    if (!contains(minority, i)) majority.push_back(i);
  }
  while (secs_since(since) < timeout_s) {
    if (leader_among(majority) >= 0) {
      std::lock_guard lock(tally_.mu);
      for (auto it = tally_.acked.rbegin(); it != tally_.acked.rend(); ++it) {
        if (it->answered < since) break;  // appended in time order (stamped under mu)
        if (it->sent > since && !contains(minority, it->node)) return true;
      }
    }
    sleep_s(0.1);
  }
  return false;
}

void FaultInjector::check_no_minority_acks(const std::vector<int>& minority,
                                           Clock::time_point from, Clock::time_point to) {
  std::lock_guard lock(tally_.mu);
  for (const Ack& a : tally_.acked) {
    // Sent after the split and answered before the heal: it committed while
    // the node could reach no majority, which Raft forbids.
    if (contains(minority, a.node) && a.sent > from && a.answered < to) {
      fail("the cut-off " + c_.nodes()[static_cast<size_t>(a.node)].node_id +
           " acknowledged " + a.tx_hash + " as committed");
      return;
    }
  }
}

}  // namespace suanli::chaos
