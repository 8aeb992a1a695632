// Hard limits of the consensus module. Config limits must fit inside these.
#pragma once

#include <cstdint>

#include "consensus/types.h"

namespace suanli::consensus {

// Largest encoded message the codec accepts.
inline constexpr uint64_t kMessageBytesMax = 64ull << 20;
// Largest payload of one entry.
inline constexpr uint64_t kEntryBytesMax = 16ull << 20;
// Most entries in one message.
inline constexpr uint64_t kMessageEntriesMax = 1ull << 16;
// Most voters plus learners in one configuration.
inline constexpr uint64_t kConfNodesMax = 64;
// Largest ReadIndex context.
inline constexpr uint64_t kContextBytesMax = 1024;
// Most ReadIndex requests waiting at a leader.
inline constexpr uint64_t kPendingReadsMax = 4096;
// Largest single snapshot chunk.
inline constexpr uint64_t kSnapshotChunkBytesMax = 16ull << 20;
// Largest snapshot the core will assemble from chunks.
inline constexpr uint64_t kSnapshotBytesMax = 1ull << 32;

static_assert(kEntryBytesMax + kEntryHeaderBytes < kMessageBytesMax);
static_assert(kSnapshotChunkBytesMax < kMessageBytesMax);
static_assert(kSnapshotChunkBytesMax <= kSnapshotBytesMax);
static_assert(kContextBytesMax < kEntryBytesMax);

}  // namespace suanli::consensus
