// SimStats: the line describe() prints and accumulate() across seeds.
#include <algorithm>
#include <sstream>

#include "tests/consensus/sim_util.h"

namespace suanli::consensus::sim {

std::string describe(const SimStats& s) {
  std::ostringstream os;
  os << "nodes=" << s.nodes << " ticks=" << s.ticks << " msgs=" << s.messages
     << " leaders=" << s.leaders << " applied=" << s.applied << " crashes=" << s.crashes
     << " partitions=" << s.partitions << " (sym=" << s.partitions_symmetric
     << " asym=" << s.partitions_asymmetric << " bridge=" << s.partitions_bridge
     << ") dropped=" << s.dropped << " dup=" << s.duplicated << " delayed=" << s.delayed
     << " fsync_crashes=" << s.crashes_after_fsync
     << " unsynced_commits_lost=" << s.unsynced_commits_lost << " snaps_taken=" << s.snapshots_taken
     << " snaps_installed=" << s.snapshots_sent << " conf=" << s.conf_changes
     << " transfers=" << s.transfers << " reads=" << s.reads << " (answered "
     << s.reads_answered << ", dropped " << s.reads_dropped << ") heal_ticks=" << s.heal_ticks
     << " heal_proposals=" << s.heal_proposals;
  return os.str();
}

void accumulate(SimStats& a, const SimStats& b) {
  a.ticks += b.ticks;
  a.messages += b.messages;
  a.leaders += b.leaders;
  a.applied += b.applied;
  a.crashes += b.crashes;
  a.partitions += b.partitions;
  a.partitions_symmetric += b.partitions_symmetric;
  a.partitions_asymmetric += b.partitions_asymmetric;
  a.partitions_bridge += b.partitions_bridge;
  a.dropped += b.dropped;
  a.duplicated += b.duplicated;
  a.delayed += b.delayed;
  a.crashes_after_fsync += b.crashes_after_fsync;
  a.unsynced_commits_lost += b.unsynced_commits_lost;
  a.snapshots_sent += b.snapshots_sent;
  a.snapshots_taken += b.snapshots_taken;
  a.conf_changes += b.conf_changes;
  a.transfers += b.transfers;
  a.reads += b.reads;
  a.reads_answered += b.reads_answered;
  a.reads_dropped += b.reads_dropped;
  a.heal_ticks = std::max(a.heal_ticks, b.heal_ticks);
  a.heal_proposals += b.heal_proposals;
  a.nodes = std::max(a.nodes, b.nodes);
}

}  // namespace suanli::consensus::sim
