// SimNode: one simulated server. `disk` stands for what was written and
// survives crashes; `core` and `app` live in memory and are lost on a crash.
// A hard state written without fsync (consensus::must_sync) is lost too:
// the disk goes back to `synced_hard_state`.
#pragma once

#include <cstdint>
#include <memory>

#include "consensus/memory_storage.h"
#include "consensus/raft_core.h"

namespace suanli::consensus::sim {

struct AppState {
  Index applied = 0;
  uint64_t chain = 0;  // hash of every entry applied so far, in order
};

Bytes encode_app_state(const AppState& app, size_t padding);
AppState decode_app_state(const Bytes& data);
uint64_t chain_next(uint64_t chain, uint64_t digest);

struct SimNode {
  NodeId id = kNoNode;
  MemoryStorage disk;
  HardState synced_hard_state;  // the disk's hard state as of its last fsync
  std::unique_ptr<RaftCore> core;
  AppState app;
  uint32_t lives = 0;
  bool marker_applied = false;
  bool up() const { return core != nullptr; }
};

}  // namespace suanli::consensus::sim
