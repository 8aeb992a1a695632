// The key-value interface the ledger reads and writes through.
//
// Keys start with one byte naming their column family (DESIGN.md "Storage"):
// kCfState, kCfTxIndex, kCfBlocks, kCfMeta. The state hash covers writes to
// state and txindex. Implementations: MemKv (ledger/mem_kv.h, tests) and the
// RocksDB store in node/storage/.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace suanli::ledger {

inline constexpr char kCfState = 's';
inline constexpr char kCfTxIndex = 't';
inline constexpr char kCfBlocks = 'b';
inline constexpr char kCfMeta = 'm';

// Writes in key order; nullopt is a delete. Ordered so that hashing and
// committing it are deterministic.
using WriteSet = std::map<std::string, std::optional<std::string>, std::less<>>;

class KvRead {
 public:
  virtual ~KvRead() = default;
  virtual std::optional<std::string> get(std::string_view key) const = 0;
  // Visits keys in [start, end) in ascending order until `visit` returns false.
  virtual void scan(std::string_view start, std::string_view end,
                    const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const = 0;
};

}  // namespace suanli::ledger
