#include "ledger/overlay.h"

#include <vector>

#include "common/assert.h"

namespace suanli::ledger {

std::optional<std::string> Overlay::get(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second;
  return base_.get(key);
}

void Overlay::scan(std::string_view start, std::string_view end,
                   const std::function<bool(std::string_view, std::string_view)>& visit) const {
  // Merge the base's range with our writes; ours win. Ranges scanned by the
  // ledger are small (expiry index of one block), so buffering is fine.
  std::vector<std::pair<std::string, std::string>> base_items;
  base_.scan(start, end, [&](std::string_view k, std::string_view v) {
    base_items.emplace_back(std::string(k), std::string(v));
    return true;
  });
  auto w = writes_.lower_bound(start);
  size_t b = 0;
  while (true) {
    bool w_ok = w != writes_.end() && w->first < end;
    bool b_ok = b < base_items.size();
    if (!w_ok && !b_ok) return;
    if (w_ok && (!b_ok || w->first <= base_items[b].first)) {
      if (b_ok && w->first == base_items[b].first) ++b;
      if (w->second && !visit(w->first, *w->second)) return;
      ++w;
    } else {
      if (!visit(base_items[b].first, base_items[b].second)) return;
      ++b;
    }
  }
}

void Overlay::merge_into(Overlay& parent) {
  SUANLI_ASSERT(&base_ == &parent);
  for (auto& [key, value] : writes_) parent.writes_[key] = std::move(value);
  writes_.clear();
}

}  // namespace suanli::ledger
