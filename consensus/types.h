// Plain value types shared by the Raft core: entries, hard state, membership,
// snapshots. No behaviour beyond size accounting; safe to copy between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace suanli::consensus {

using NodeId = uint64_t;
using Index = uint64_t;
using Term = uint64_t;

inline constexpr NodeId kNoNode = 0;

enum class EntryType : uint8_t { kNormal = 0, kConfChange = 1 };

struct Entry {
  Term term = 0;
  Index index = 0;
  EntryType type = EntryType::kNormal;
  Bytes data;
  bool operator==(const Entry&) const = default;
};

// Bytes an entry costs in a message: payload plus a fixed header (see codec.cc).
inline constexpr uint64_t kEntryHeaderBytes = 8 + 8 + 1 + 4;
inline uint64_t entry_bytes(const Entry& e) { return kEntryHeaderBytes + e.data.size(); }
uint64_t entries_bytes(const std::vector<Entry>& entries);
uint64_t payload_bytes(const std::vector<Entry>& entries);

// State that must be fsynced before any message depending on it is sent.
struct HardState {
  Term term = 0;
  NodeId vote = kNoNode;
  Index commit = 0;
  bool operator==(const HardState&) const = default;
};

struct ConfState {
  std::vector<NodeId> voters;    // sorted, unique
  std::vector<NodeId> learners;  // sorted, unique, disjoint from voters
  bool operator==(const ConfState&) const = default;
};

struct SnapshotMeta {
  Index index = 0;
  Term term = 0;
  ConfState conf_state;
  bool operator==(const SnapshotMeta&) const = default;
};

// The application's state up to meta.index; data is opaque to the core.
struct Snapshot {
  SnapshotMeta meta;
  Bytes data;
  bool empty() const { return meta.index == 0; }
  bool operator==(const Snapshot&) const = default;
};

// Single-server membership change, carried in a kConfChange entry.
enum class ConfChangeType : uint8_t { kAddNode = 0, kAddLearner = 1, kRemoveNode = 2 };

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddNode;
  NodeId node_id = kNoNode;
  bool operator==(const ConfChange&) const = default;
};

enum class StateRole : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };
const char* role_name(StateRole role);

// A linearizable read may be served once the application has applied `index`.
struct ReadState {
  Index index = 0;
  Bytes context;
  // The request was dropped, not answered: leadership changed before it was
  // confirmed (index is 0). The caller may ask again.
  bool dropped = false;
  bool operator==(const ReadState&) const = default;
};

}  // namespace suanli::consensus
