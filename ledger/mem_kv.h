// In-memory KvRead with atomic commit of a WriteSet: the store of unit tests.
// Not thread-safe.
#pragma once

#include <map>
#include <string>

#include "ledger/kv.h"

namespace suanli::ledger {

class MemKv final : public KvRead {
 public:
  std::optional<std::string> get(std::string_view key) const override {
    auto it = data_.find(key);
    if (it == data_.end()) return std::nullopt;
    return it->second;
  }

  void scan(std::string_view start, std::string_view end,
            const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    for (auto it = data_.lower_bound(start); it != data_.end() && it->first < end; ++it) {
      if (!visit(it->first, it->second)) return;
    }
  }

  void commit(const WriteSet& writes) {
    for (const auto& [key, value] : writes) {
      if (value) {
        data_[key] = *value;
      } else {
        data_.erase(key);
      }
    }
  }

  const std::map<std::string, std::string, std::less<>>& data() const { return data_; }

 private:
  std::map<std::string, std::string, std::less<>> data_;
};

}  // namespace suanli::ledger
