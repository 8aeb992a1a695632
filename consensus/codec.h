// Binary codec for Raft messages and the records the storage adapter keeps.
//
// Format: big-endian fixed-width integers, length-prefixed byte strings, and a
// leading version byte (kCodecVersion). Every length is checked against the
// remaining input and against limits.h before anything is allocated, so
// malformed or hostile input yields an error Status, never a crash.
#pragma once

#include <string_view>

#include "common/status.h"
#include "consensus/message.h"

namespace suanli::consensus {

inline constexpr uint8_t kCodecVersion = 1;

Bytes encode_message(const Message& m);
Result<Message> decode_message(std::string_view in);

Bytes encode_entry(const Entry& e);
Result<Entry> decode_entry(std::string_view in);

Bytes encode_conf_change(const ConfChange& cc);
Result<ConfChange> decode_conf_change(std::string_view in);

Bytes encode_hard_state(const HardState& hs);
Result<HardState> decode_hard_state(std::string_view in);

Bytes encode_snapshot_meta(const SnapshotMeta& meta);
Result<SnapshotMeta> decode_snapshot_meta(std::string_view in);

}  // namespace suanli::consensus
