// Reading the members of strictly parsed JSON objects with errors that name
// the field ("voucher_programs[1].rate_bps: must be 1..10000").
//
// Internal to the genesis target (genesis and node configuration parsing).
// An ObjectReader refers to its JSON value, which must outlive it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace suanli::genesis {

// "a.b" / "a[3]" paths.
std::string member_path(std::string_view parent, std::string_view name);
std::string element_path(std::string_view parent, size_t index);

// Reads a whole file of at most `bytes_max` bytes; errors use code "io_error".
Result<std::string> read_file_bounded(const std::string& path, size_t bytes_max);

class ObjectReader {
 public:
  // `path` names the object ("" for the document itself); `code` is the Status
  // code of every error ("invalid_genesis", "invalid_config").
  ObjectReader(const nlohmann::json& value, std::string path, std::string code);

  // Fails unless the value is an object whose members are all in `required`
  // or `optional` and that has every member of `required`.
  Status check_members(std::initializer_list<std::string_view> required,
                       std::initializer_list<std::string_view> optional = {}) const;

  bool has(std::string_view name) const;
  // The member; the caller has checked that it exists.
  const nlohmann::json& at(std::string_view name) const;
  Result<std::string> string(std::string_view name) const;
  // An integer in [min, max].
  Result<uint64_t> uint(std::string_view name, uint64_t min, uint64_t max) const;
  // The member must be an array of at most `size_max` elements.
  Status check_array(std::string_view name, size_t size_max) const;

  std::string path(std::string_view name) const { return member_path(path_, name); }
  Status error(std::string_view name, std::string_view message) const;
  Status error_at(const std::string& full_path, std::string_view message) const;

 private:
  const nlohmann::json& value_;
  std::string path_;
  std::string code_;
};

}  // namespace suanli::genesis
