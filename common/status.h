// Status and Result<T>: expected failures as values (bad input, I/O errors).
//
// Invariant violations use SUANLI_ASSERT instead. A Status is cheap when OK.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "common/assert.h"

namespace suanli {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string code, std::string message) {
    return Status(std::move(code), std::move(message));
  }

  bool is_ok() const { return code_.empty(); }
  explicit operator bool() const { return is_ok(); }
  // A short machine-readable code (for example "io_error", "invalid_genesis").
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string to_string() const { return is_ok() ? "ok" : code_ + ": " + message_; }

 private:
  Status(std::string code, std::string message)
      : code_(std::move(code)), message_(std::move(message)) {}
  std::string code_;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    SUANLI_ASSERT_MSG(!status_.is_ok(), "Result built from an OK status without a value");
  }

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }
  T& value() {
    SUANLI_ASSERT(value_.has_value());
    return *value_;
  }
  const T& value() const {
    SUANLI_ASSERT(value_.has_value());
    return *value_;
  }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace suanli
