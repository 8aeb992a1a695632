// Limits of the genesis document, node configuration and key files.
//
// Units last (STYLE.md 2.4). The policy limits bound what a genesis may ask of
// every node: a policy a node cannot honour must be refused at start-up, not
// discovered under load.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/money.h"
#include "ledger/codec.h"

namespace suanli::genesis {

inline constexpr size_t kGenesisFileBytesMax = 64 * 1024 * 1024;
inline constexpr size_t kConfigFileBytesMax = 64 * 1024;
inline constexpr size_t kKeyFileBytesMax = 4 * 1024;
inline constexpr size_t kJsonDepthMax = 16;

inline constexpr size_t kChainIdBytesMax = 64;
inline constexpr size_t kNodeIdBytesMax = 64;
inline constexpr size_t kAddressCodePointsMax = 255;
inline constexpr size_t kNameCodePointsMax = 128;

inline constexpr size_t kProgramsMax = 34;  // one per province at most
inline constexpr size_t kParticipantsMax = 100000;
inline constexpr size_t kNodesMax = 256;

inline constexpr uint64_t kTimeMax = kAmountMax;  // times are 0..2^53-1 like every integer
inline constexpr uint64_t kRateBpsMax = 10000;

inline constexpr uint64_t kDayMs = 24ull * 3600 * 1000;
inline constexpr uint64_t kTxValidityMsMax = 7 * kDayMs;
inline constexpr uint64_t kAckWindowMsMax = 366 * kDayMs;
inline constexpr uint64_t kBlockTxsMax = 65536;
inline constexpr uint64_t kBlockBytesMax = 64ull * 1024 * 1024;
// A block must be able to hold the largest transaction.
inline constexpr uint64_t kBlockBytesMin = ledger::kTxBytesMax;
inline constexpr uint64_t kMembershipApprovalsMax = 34;  // the number of provinces

static_assert(kBlockBytesMin <= kBlockBytesMax);
static_assert(kTxValidityMsMax <= kTimeMax && kAckWindowMsMax <= kTimeMax);

}  // namespace suanli::genesis
