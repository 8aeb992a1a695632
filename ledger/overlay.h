// Overlay: buffered writes over a KvRead, readable through the same interface.
//
// The ledger applies a block in one Overlay over the store and each
// transaction in a nested Overlay over the block's: a transaction that fails
// is dropped whole, so a failed transaction changes nothing.
#pragma once

#include "ledger/kv.h"

namespace suanli::ledger {

class Overlay final : public KvRead {
 public:
  explicit Overlay(const KvRead& base) : base_(base) {}
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;

  std::optional<std::string> get(std::string_view key) const override;
  void scan(std::string_view start, std::string_view end,
            const std::function<bool(std::string_view, std::string_view)>& visit) const override;

  void put(std::string key, std::string value) { writes_[std::move(key)] = std::move(value); }
  void del(std::string key) { writes_[std::move(key)] = std::nullopt; }

  // Moves this overlay's writes into `parent` (which must be its base).
  void merge_into(Overlay& parent);
  const WriteSet& writes() const { return writes_; }
  WriteSet take() { return std::move(writes_); }

 private:
  const KvRead& base_;
  WriteSet writes_;
};

}  // namespace suanli::ledger
