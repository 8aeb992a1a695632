// The simulator's faults (partitions; when nodes crash and restart) and
// workload (proposals, membership changes, transfers, reads).
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "consensus/codec.h"
#include "tests/consensus/sim_simulator_util.h"

namespace suanli::consensus::sim::detail {

void Simulator::partition() {
  std::vector<NodeId> ids;
  for (auto& [id, n] : nodes_) ids.push_back(id);
  net_.heal();
  ++stats_.partitions;
  const uint64_t kind = rng_.uniform(5);
  const NodeId x = ids[rng_.uniform(ids.size())];
  std::vector<NodeId> a;
  std::vector<NodeId> b;
  for (NodeId id : ids) (rng_.chance(500) ? a : b).push_back(id);
  switch (kind) {
    case 0: trace("heal"); break;
    case 1:
      net_.split(a, b);
      ++stats_.partitions_symmetric;
      trace("partition symmetric");
      break;
    case 2:
      ++stats_.partitions_asymmetric;
      for (NodeId id : ids) {
        if (id != x) net_.block(x, id);  // x can hear but not speak
      }
      trace("partition asymmetric: n" + std::to_string(x) + " muted");
      break;
    case 3: {
      // Bridge: a and b cannot talk directly, x talks to both.
      std::erase(a, x);
      std::erase(b, x);
      net_.split(a, b);
      ++stats_.partitions_bridge;
      trace("partition bridge via n" + std::to_string(x));
      break;
    }
    default:
      ++stats_.partitions_asymmetric;
      for (NodeId id : ids) {
        if (id != x) net_.block(id, x);  // x speaks but cannot hear
      }
      trace("partition asymmetric: n" + std::to_string(x) + " deaf");
      break;
  }
}

void Simulator::inject_faults() {
  if (rng_.chance(rates_.partition)) partition();
  for (auto& [id, n] : nodes_) {
    if (n->up() && rng_.chance(rates_.crash)) {
      crash(*n);
    } else if (!n->up() && rng_.chance(rates_.restart)) {
      restart(*n);
    }
  }
}

void Simulator::propose(SimNode& leader) {
  std::string data = "p" + std::to_string(next_proposal_++) + ":";
  data.append(rng_.uniform(40), 'd');
  const Status s = leader.core->propose(data);
  trace("n" + std::to_string(leader.id) + " propose " + data.substr(0, data.find(':')) +
        (s.is_ok() ? "" : " refused: " + s.code()));
}

void Simulator::conf_change(SimNode& leader) {
  const ConfState cs = leader.core->conf_state();
  ConfChange cc;
  const uint64_t kind = rng_.uniform(4);
  if (kind == 0 && nodes_.size() < kNodesMax) {
    cc = ConfChange{ConfChangeType::kAddLearner, nodes_.rbegin()->first + 1};
  } else if (kind == 1 && !cs.learners.empty() && cs.voters.size() < kVotersMax) {
    cc = ConfChange{ConfChangeType::kAddNode, cs.learners[rng_.uniform(cs.learners.size())]};
  } else if (kind == 2 && cs.voters.size() > 3) {
    cc = ConfChange{ConfChangeType::kRemoveNode, cs.voters[rng_.uniform(cs.voters.size())]};
  } else if (kind == 3 && !cs.learners.empty()) {
    cc = ConfChange{ConfChangeType::kRemoveNode, cs.learners[rng_.uniform(cs.learners.size())]};
  } else {
    return;
  }
  if (!leader.core->propose_conf_change(cc).is_ok()) return;
  ++stats_.conf_changes;
  trace("n" + std::to_string(leader.id) + " proposes conf change type=" +
        std::to_string(static_cast<int>(cc.type)) + " node=" + std::to_string(cc.node_id));
  if (cc.type == ConfChangeType::kAddLearner) add_node(cc.node_id, false);
}

void Simulator::workload() {
  SimNode* leader = find_leader();
  if (leader != nullptr && rng_.chance(rates_.propose)) propose(*leader);
  if (leader != nullptr && rng_.chance(rates_.conf_change)) conf_change(*leader);
  if (leader != nullptr && rng_.chance(rates_.transfer)) {
    const ConfState cs = leader->core->conf_state();
    const NodeId target = cs.voters[rng_.uniform(cs.voters.size())];
    if (leader->core->transfer_leader(target).is_ok()) ++stats_.transfers;
    trace("n" + std::to_string(leader->id) + " transfers to n" + std::to_string(target));
  }
  const std::vector<NodeId> ups = up_ids();
  if (!ups.empty() && rng_.chance(rates_.read)) {
    Index max_applied = 0;
    for (auto& [id, n] : nodes_) max_applied = std::max(max_applied, n->app.applied);
    Bytes ctx = "r" + std::to_string(next_read_++);
    SimNode& n = *nodes_[ups[rng_.uniform(ups.size())]];
    checker_.on_read_issued(ctx, max_applied);
    if (n.core->read_index(std::move(ctx)).is_ok()) ++stats_.reads;
  }
}

}  // namespace suanli::consensus::sim::detail
