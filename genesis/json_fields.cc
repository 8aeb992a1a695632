#include "genesis/json_fields.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/money.h"

namespace suanli::genesis {

std::string member_path(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

std::string element_path(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

Result<std::string> read_file_bounded(const std::string& path, size_t bytes_max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::error("io_error", "open " + path + ": " + std::strerror(errno));
  }
  std::string data;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::error("io_error", "read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > bytes_max) {
      ::close(fd);
      return Status::error("io_error",
                           path + ": larger than " + std::to_string(bytes_max) + " bytes");
    }
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string path, std::string code)
    : value_(value), path_(std::move(path)), code_(std::move(code)) {}

Status ObjectReader::check_members(std::initializer_list<std::string_view> required,
                                   std::initializer_list<std::string_view> optional) const {
  if (!value_.is_object()) {
    return error_at(path_.empty() ? "document" : path_, "must be an object");
  }
  for (const auto& item : value_.items()) {
    bool known = false;
    for (std::string_view name : required) known = known || name == item.key();
    for (std::string_view name : optional) known = known || name == item.key();
    if (!known) return error(item.key(), "unknown member");
  }
  for (std::string_view name : required) {
    if (!has(name)) return error(name, "missing");
  }
  return Status::ok();
}

bool ObjectReader::has(std::string_view name) const {
  return value_.is_object() && value_.find(name) != value_.end();
}

const nlohmann::json& ObjectReader::at(std::string_view name) const {
  auto it = value_.find(name);
  SUANLI_ASSERT(it != value_.end());
  return *it;
}

Result<std::string> ObjectReader::string(std::string_view name) const {
  const nlohmann::json& v = at(name);
  if (!v.is_string()) return error(name, "must be a string");
  return v.get<std::string>();
}

Result<uint64_t> ObjectReader::uint(std::string_view name, uint64_t min, uint64_t max) const {
  const nlohmann::json& v = at(name);
  // 2^53-1 is the JSON-safe integer limit of API.md; say so rather than print it.
  std::string range = std::to_string(min) + ".." +
                      (max == kAmountMax ? std::string("2^53-1") : std::to_string(max));
  if (!v.is_number_integer()) return error(name, "must be an integer in " + range);
  if (!v.is_number_unsigned()) return error(name, "must be " + range);
  uint64_t n = v.get<uint64_t>();
  if (n < min || n > max) return error(name, "must be " + range);
  return n;
}

Status ObjectReader::check_array(std::string_view name, size_t size_max) const {
  const nlohmann::json& v = at(name);
  if (!v.is_array()) return error(name, "must be an array");
  if (v.size() > size_max) {
    return error(name, "at most " + std::to_string(size_max) + " entries");
  }
  return Status::ok();
}

Status ObjectReader::error(std::string_view name, std::string_view message) const {
  return error_at(path(name), message);
}

Status ObjectReader::error_at(const std::string& full_path, std::string_view message) const {
  return Status::error(code_, full_path + ": " + std::string(message));
}

}  // namespace suanli::genesis
