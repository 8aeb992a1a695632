#include "wallet/secure_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace suanli::wallet {
namespace {

Status io_error(const char* what, const std::string& path, int err) {
  return Status::error("io_error", std::string(what) + " " + path + ": " + std::strerror(err));
}

}  // namespace

Status write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return Status::error("already_exists", path + " already exists");
    return io_error("create", path, errno);
  }
  // The umask can only remove bits; fchmod makes the mode exact.
  Status s = ::fchmod(fd, mode) == 0 ? Status::ok() : io_error("chmod", path, errno);
  std::string_view rest = text;
  while (s && !rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) s = io_error("write", path, errno);
    if (n > 0) rest.remove_prefix(static_cast<size_t>(n));
  }
  if (s && ::fsync(fd) != 0) s = io_error("fsync", path, errno);
  if (::close(fd) != 0 && s) s = io_error("close", path, errno);
  if (!s) ::unlink(path.c_str());
  return s;
}

Result<std::string> read_small_file(const std::string& path, size_t bytes_max, bool private_only) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::error("not_found", path + " does not exist");
    return io_error("open", path, errno);
  }
  struct stat st {};
  Status s = ::fstat(fd, &st) == 0 ? Status::ok() : io_error("stat", path, errno);
  if (s && !S_ISREG(st.st_mode)) s = Status::error("io_error", path + " is not a regular file");
  if (s && private_only && (st.st_mode & 077) != 0) {
    s = Status::error("insecure_file", path + " is readable by others (chmod 600 " + path + ")");
  }
  if (s && static_cast<size_t>(st.st_size) > bytes_max) {
    s = Status::error("too_large",
                      path + " is larger than " + std::to_string(bytes_max) + " bytes");
  }
  std::string text;
  char buf[4096];
  while (s) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) s = io_error("read", path, errno);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > bytes_max) {
      s = Status::error("too_large",
                        path + " is larger than " + std::to_string(bytes_max) + " bytes");
    }
  }
  sodium_memzero(buf, sizeof buf);
  ::close(fd);
  if (!s) {
    wipe(text);
    return s;
  }
  return text;
}

void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace suanli::wallet
