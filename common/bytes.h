// Byte strings, fixed-size keys and hex conversion.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace suanli {

using Bytes = std::string;  // raw bytes; std::string for cheap moves and map keys
using Hash32 = std::array<uint8_t, 32>;
using PubKey = std::array<uint8_t, 32>;
using Sig64 = std::array<uint8_t, 64>;
using Id16 = std::array<uint8_t, 16>;

// Lowercase hex of raw bytes.
std::string to_hex(const uint8_t* data, size_t size);
inline std::string to_hex(std::string_view raw) {
  return to_hex(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
}
template <size_t N>
std::string to_hex(const std::array<uint8_t, N>& a) {
  return to_hex(a.data(), N);
}

// Strict lowercase-hex decoding: uppercase, odd length or other characters fail.
bool from_hex(std::string_view hex, uint8_t* out, size_t out_size);
std::optional<std::string> from_hex(std::string_view hex);
template <size_t N>
std::optional<std::array<uint8_t, N>> from_hex_array(std::string_view hex) {
  std::array<uint8_t, N> out{};
  if (hex.size() != 2 * N || !from_hex(hex, out.data(), N)) return std::nullopt;
  return out;
}

template <size_t N>
std::string_view as_view(const std::array<uint8_t, N>& a) {
  return {reinterpret_cast<const char*>(a.data()), N};
}

// Big-endian fixed-width integers: keys that sort numerically.
void put_u64_be(std::string& out, uint64_t v);
void put_u32_be(std::string& out, uint32_t v);
uint64_t get_u64_be(std::string_view in);

}  // namespace suanli
