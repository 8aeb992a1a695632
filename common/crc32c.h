// CRC-32C (Castagnoli), as in iSCSI, ext4 and RocksDB: the checksum of the
// Raft log's records on disk. Uses the CPU's crc32 instruction where there is
// one (SSE 4.2), a table otherwise; both give the same values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace suanli {

// The CRC of `data` continued from `crc` (the CRC of what came before; 0 to start).
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n);
inline uint32_t crc32c(std::string_view data) { return crc32c_extend(0, data.data(), data.size()); }
// The table version alone, so tests compare both ways on this machine.
uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t n);

}  // namespace suanli
