// A token bucket over requests on one connection (HTTP or WebSocket): a
// steady rate and a burst. Not thread-safe: one per connection, used on its
// strand.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace suanli::rpc {

class TokenBucket {
 public:
  TokenBucket(uint32_t per_second, uint32_t burst)
      : per_second_(per_second),
        burst_(burst),
        tokens_(burst),
        refilled_(std::chrono::steady_clock::now()) {}

  // Takes one token; false when none is left.
  bool take() {
    auto now = std::chrono::steady_clock::now();
    double elapsed_s = std::chrono::duration<double>(now - refilled_).count();
    refilled_ = now;
    tokens_ = std::min<double>(burst_, tokens_ + elapsed_s * per_second_);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  uint32_t per_second_;
  uint32_t burst_;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_;
};

}  // namespace suanli::rpc
