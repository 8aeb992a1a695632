// Helpers shared by the genesis tests: a valid genesis document and temporary
// directories.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/bytes.h"

namespace suanli::genesis::testing {

// The public key of the seed filled with `n`.
PubKey test_pubkey(uint8_t n);

// A valid genesis: API.md's policy and programmes, regulators of CN-GZ and
// CN-BJ, a provider, a buyer, a voter and a learner.
nlohmann::json valid_genesis_json();

// A fresh directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace suanli::genesis::testing
