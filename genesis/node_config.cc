#include "genesis/node_config.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "genesis/genesis.h"
#include "genesis/json_fields.h"
#include "genesis/limits.h"
#include "ledger/codec.h"

namespace suanli::genesis {
namespace {

namespace fs = std::filesystem;
constexpr const char* kConfigCode = "invalid_config";
constexpr const char* kKeyCode = "invalid_key";
constexpr size_t kRpcTokenBytesMax = 256;
constexpr std::array<std::string_view, 7> kLogLevels = {"trace", "debug",    "info", "warn",
                                                        "error", "critical", "off"};

Status io_error(const std::string& what, const std::string& path, int err) {
  return Status::error("io_error", what + " " + path + ": " + std::strerror(err));
}

// Zeroes a buffer that held a secret before it is freed.
void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

Result<std::string> path_member(const ObjectReader& r, std::string_view name,
                                const fs::path& base_dir) {
  auto text = r.string(name);
  if (!text) return text.status();
  if (text->empty()) return r.error(name, "must not be empty");
  if (text->find('\0') != std::string::npos) return r.error(name, "must not contain NUL");
  fs::path p(*text);
  if (p.is_relative()) p = base_dir / p;
  return p.lexically_normal().string();
}

Result<std::string> address_member(const ObjectReader& r, std::string_view name) {
  auto text = r.string(name);
  if (!text) return text.status();
  if (!is_host_port(*text)) return r.error(name, "must be host:port");
  return *text;
}

Status check_rpc_token(const ObjectReader& r, const std::string& token) {
  if (token.size() > kRpcTokenBytesMax) return r.error("rpc_token", "at most 256 characters");
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) {
      return r.error("rpc_token", "must be printable ASCII without spaces");
    }
  }
  return Status::ok();
}

Result<NodeConfig> parse_config_object(const ObjectReader& r, const fs::path& base_dir) {
  Status s = r.check_members({"node_id", "data_dir", "genesis", "key_file", "listen", "rpc"},
                             {"rpc_token", "log_level"});
  if (!s) return s;
  NodeConfig c;
  auto id = r.string("node_id");
  if (!id) return id.status();
  if (!is_node_id(*id)) return r.error("node_id", "must be 1..64 characters of [A-Za-z0-9._-]");
  c.node_id = *id;
  struct PathField {
    std::string_view name;
    std::string* out;
  };
  for (const PathField& f : {PathField{"data_dir", &c.data_dir}, PathField{"genesis", &c.genesis},
                             PathField{"key_file", &c.key_file}}) {
    auto p = path_member(r, f.name, base_dir);
    if (!p) return p.status();
    *f.out = std::move(*p);
  }
  auto listen = address_member(r, "listen");
  if (!listen) return listen.status();
  c.listen = *listen;
  auto rpc = address_member(r, "rpc");
  if (!rpc) return rpc.status();
  c.rpc = *rpc;
  if (r.has("rpc_token")) {
    auto token = r.string("rpc_token");
    if (!token) return token.status();
    if (s = check_rpc_token(r, *token); !s) return s;
    c.rpc_token = *token;
  }
  if (r.has("log_level")) {
    auto level = r.string("log_level");
    if (!level) return level.status();
    bool known = false;
    for (std::string_view l : kLogLevels) known = known || l == *level;
    if (!known) {
      return r.error("log_level", "must be trace, debug, info, warn, error, critical or off");
    }
    c.log_level = *level;
  }
  return c;
}

Result<std::string> read_key_fd(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return io_error("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return Status::error("io_error", path + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::error("insecure_key_file", path + ": accessible by group or others (mode " +
                                                  mode + "); run chmod 600 " + path);
  }
  // Reserved up front so that no reallocation leaves a copy of the seed behind.
  std::string text(kKeyFileBytesMax + 1, '\0');
  size_t size = 0;
  while (size < text.size()) {
    ssize_t n = ::read(fd, text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      wipe(text);
      return io_error("read", path, err);
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  if (size > kKeyFileBytesMax) {
    wipe(text);
    return Status::error("invalid_key",
                         path + ": larger than " + std::to_string(kKeyFileBytesMax) + " bytes");
  }
  text.resize(size);
  return text;
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("write", path, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

}  // namespace

Result<NodeConfig> parse_node_config(std::string_view json_text, const std::string& base_dir) {
  std::string parse_error;
  auto parsed = ledger::parse_strict(json_text, &parse_error, 4);
  if (!parsed) return Status::error(kConfigCode, "not valid JSON: " + parse_error);
  if (parsed->anomaly) {
    const auto& a = *parsed->anomaly;
    return Status::error(kConfigCode, (a.path.empty() ? "document" : a.path) + ": " + a.message);
  }
  ObjectReader r(parsed->value, "", kConfigCode);
  return parse_config_object(r, fs::path(base_dir));
}

Result<NodeConfig> load_node_config(const std::string& path) {
  auto text = read_file_bounded(path, kConfigFileBytesMax);
  if (!text) return text.status();
  std::error_code ec;
  fs::path absolute = fs::absolute(fs::path(path), ec);
  if (ec) return Status::error("io_error", "resolve " + path + ": " + ec.message());
  auto config = parse_node_config(*text, absolute.parent_path().string());
  if (!config) {
    return Status::error(config.status().code(), path + ": " + config.status().message());
  }
  return config;
}

Result<std::optional<ledger::GenesisNode>> genesis_identity(const ledger::Genesis& genesis,
                                                            const NodeConfig& config,
                                                            const PubKey& node_pubkey) {
  for (const ledger::GenesisNode& n : genesis.nodes) {
    if (n.pubkey == node_pubkey && n.node_id != config.node_id) {
      return Status::error(kConfigCode, "node_id: \"" + config.node_id +
                                            "\" but the genesis lists this node key as \"" +
                                            n.node_id + "\"");
    }
    if (n.pubkey != node_pubkey && n.node_id == config.node_id) {
      return Status::error(kConfigCode, "node_id: the genesis gives \"" + n.node_id +
                                            "\" to another key (" + to_hex(n.pubkey) + ")");
    }
    if (n.pubkey == node_pubkey) return std::optional<ledger::GenesisNode>(n);
  }
  return std::optional<ledger::GenesisNode>();
}

Result<NodeKey> parse_node_key(std::string_view text, const std::string& path) {
  std::string parse_error;
  auto parsed = ledger::parse_strict(text, &parse_error, 4);
  if (!parsed) return Status::error(kKeyCode, path + ": not valid JSON: " + parse_error);
  if (parsed->anomaly) {
    return Status::error(kKeyCode,
                         path + ": " + parsed->anomaly->path + ": " + parsed->anomaly->message);
  }
  ObjectReader r(parsed->value, "", kKeyCode);
  Status s = r.check_members({"pubkey", "seed"});
  if (!s) return Status::error(kKeyCode, path + ": " + s.message());
  auto pubkey_hex = r.string("pubkey");
  auto seed_hex = r.string("seed");
  if (!pubkey_hex || !seed_hex) {
    return Status::error(kKeyCode, path + ": pubkey and seed must be strings");
  }
  auto pubkey = from_hex_array<32>(*pubkey_hex);
  if (!pubkey) return Status::error(kKeyCode, path + ": pubkey: must be 64 lowercase hex");
  std::array<uint8_t, 32> seed{};
  bool seed_ok = seed_hex->size() == 64 && from_hex(*seed_hex, seed.data(), seed.size());
  wipe(*seed_hex);
  if (!seed_ok) return Status::error(kKeyCode, path + ": seed: must be 64 lowercase hex");
  NodeKey key = ledger::keypair_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  if (key.pubkey != *pubkey) {
    return Status::error(kKeyCode, path + ": pubkey: does not match the seed");
  }
  return key;
}

Result<NodeKey> load_node_key(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open", path, errno);
  // Checked and read through one descriptor: the file cannot be swapped in between.
  Result<std::string> text = read_key_fd(fd, path);
  ::close(fd);
  if (!text) return text.status();
  auto key = parse_node_key(*text, path);
  wipe(*text);
  return key;
}

Status write_node_key(const std::string& path, const NodeKey& key) {
  std::string text =
      "{\"pubkey\":\"" + to_hex(key.pubkey) + "\",\"seed\":\"" + to_hex(key.seed) + "\"}\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    wipe(text);
    return io_error("create", path, err);
  }
  // The umask can only remove bits; fchmod makes 0600 exact whatever it is.
  Status s = ::fchmod(fd, 0600) == 0 ? write_all(fd, text, path) : io_error("chmod", path, errno);
  wipe(text);
  if (s && ::fsync(fd) != 0) s = io_error("fsync", path, errno);
  if (::close(fd) != 0 && s) s = io_error("close", path, errno);
  if (!s) ::unlink(path.c_str());
  return s;
}

}  // namespace suanli::genesis
