#include "node/backup.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/block.h"
#include "ledger/encoding.h"
#include "ledger/store.h"
#include "node/meta.h"
#include "node/snapshot_transfer.h"
#include "node/storage/state_store.h"

namespace suanli::node {
namespace fs = std::filesystem;
namespace {

constexpr size_t kManifestMaxBytes = 64 * 1024;
constexpr size_t kPathMax = 4096;

Status io_error(const std::string& what, const std::error_code& ec) {
  return Status::error("io_error", what + ": " + ec.message());
}

Status sync_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error("io_error", "open " + path + " to sync");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::error("io_error", "sync " + path);
  return Status::ok();
}

// fsyncs every file and directory under `dir`, and `dir` itself.
Status sync_tree(const std::string& dir) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    Status s = it->is_directory() ? sync_dir(it->path().string()) : sync_file(it->path().string());
    if (!s) return s;
  }
  if (ec) return io_error("list " + dir, ec);
  return sync_dir(dir);
}

Status write_json_file(const std::string& path, const nlohmann::json& doc) {
  {
    std::ofstream out(path, std::ios::trunc);
    out << doc.dump(2) << "\n";
    out.flush();
    if (!out) return Status::error("io_error", "cannot write " + path);
  }
  return sync_file(path);
}

Status write_manifest(const std::string& path, const BackupInfo& info) {
  return write_json_file(path, info.to_json());
}

Status invalid(const std::string& what) { return Status::error("invalid_backup", what); }

// The applied height, state hash and genesis of a state database.
BackupInfo describe(const StateStore& state) {
  BackupInfo info;
  meta::Applied applied = meta::load_applied(state);
  info.height = applied.tip.height;
  info.state_hash = applied.state_hash;
  info.raft_index = applied.index;
  if (auto g = state.get(meta::key("genesis_hash")); g && g->size() == info.genesis_hash.size()) {
    std::copy(g->begin(), g->end(), info.genesis_hash.begin());
  }
  return info;
}

// The member (or genesis node) that already holds this node id or key, if any.
std::optional<std::string> identity_holder(const StateStore& state, const ledger::Genesis& genesis,
                                           const std::string& node_id, const PubKey& pubkey) {
  for (const auto& n : genesis.nodes) {
    if (n.node_id == node_id || n.pubkey == pubkey) return n.node_id;
  }
  std::optional<std::string> holder;
  const std::string start = ledger::keys::node("");
  state.scan(start, ledger::keys::family_end(start), [&](std::string_view, std::string_view v) {
    ledger::NodeMember m;
    if (ledger::decode(v, m) && (m.node_id == node_id || m.pubkey == pubkey)) {
      holder = m.node_id;
      return false;
    }
    return true;
  });
  return holder;
}

Result<BackupInfo> check_restored(const std::string& dir, const BackupInfo& manifest,
                                  const ledger::Genesis& genesis, const std::string& node_id,
                                  const PubKey& pubkey) {
  auto state = StateStore::open(dir);
  if (!state)
    return invalid("the backup's state database does not open: " + state.status().to_string());
  if (!meta::has_applied(**state))
    return invalid("the backup's state/ is not a node's state database");
  if (Status s = meta::check_schema(**state); !s) return s;
  BackupInfo found = describe(**state);
  if (found.genesis_hash != genesis.hash) {
    return Status::error("genesis_mismatch",
                         "the backup belongs to genesis " + to_hex(found.genesis_hash) + ", not " +
                             to_hex(genesis.hash) + " (" + genesis.chain_id + ")");
  }
  if (found.height != manifest.height || found.state_hash != manifest.state_hash ||
      found.raft_index != manifest.raft_index) {
    return invalid("the state database does not match backup.json (height " +
                   std::to_string(found.height) + ", state hash " + to_hex(found.state_hash) + ")");
  }
  if (auto holder = identity_holder(**state, genesis, node_id, pubkey)) {
    return Status::error(
        "identity_in_use",
        "node id " + node_id + " or its key is already used by member " + *holder +
            ": a restored node must come back as a new member (a new node id and key, then "
            "node_propose and proposal_approve)");
  }
  return manifest;
}

}  // namespace

nlohmann::json BackupInfo::to_json() const {
  return {{"format", kBackupFormat},
          {"chain_id", chain_id},
          {"genesis_hash", to_hex(genesis_hash)},
          {"height", height},
          {"state_hash", to_hex(state_hash)},
          {"raft_index", raft_index},
          {"source_node", source_node},
          {"created_ms", created_ms}};
}

Status check_backup_target(const std::string& dir) {
  if (dir.empty() || dir.size() > kPathMax || dir.find('\0') != std::string::npos) {
    return Status::error("invalid_argument",
                         "the backup directory must be a path of 1..4096 bytes");
  }
  fs::path p(dir);
  if (!p.is_absolute()) {
    return Status::error("invalid_argument",
                         "the backup directory must be an absolute path: " + dir);
  }
  std::error_code ec;
  if (fs::exists(p, ec)) {
    return Status::error("invalid_argument", "the backup directory already exists: " + dir);
  }
  fs::path parent = p.lexically_normal().parent_path();
  if (p.filename().empty()) parent = parent.parent_path();
  if (!fs::is_directory(parent, ec)) {
    return Status::error("invalid_argument",
                         "the backup directory's parent is not a directory: " + parent.string());
  }
  return Status::ok();
}

Result<BackupInfo> write_backup(StateStore& state, const std::string& dir_in,
                                const ledger::Genesis& genesis, const std::string& source_node,
                                uint64_t now_ms) {
  if (Status s = check_backup_target(dir_in); !s) return s;
  const std::string dir = fs::path(dir_in).lexically_normal().string();
  const std::string tmp =
      (fs::path(dir).parent_path() / ("." + fs::path(dir).filename().string() + ".partial"))
          .string();
  std::error_code ec;
  fs::remove_all(tmp, ec);  // our own name: left by an interrupted backup
  if (!fs::create_directory(tmp, ec)) return io_error("create " + tmp, ec);
  auto cleanup = [&] { fs::remove_all(tmp, ec); };
  if (Status s = state.checkpoint(tmp + "/state"); !s) {
    cleanup();
    return s;
  }
  BackupInfo info;
  {
    auto copy = StateStore::open(tmp + "/state");
    if (!copy || !meta::has_applied(**copy)) {
      cleanup();
      return copy ? Status::error("invalid_argument", "this is not a node's state database")
                  : copy.status();
    }
    info = describe(**copy);
  }
  info.chain_id = genesis.chain_id;
  info.source_node = source_node;
  info.created_ms = now_ms;
  if (info.genesis_hash != genesis.hash) {
    cleanup();
    return Status::error("genesis_mismatch", "the state database does not belong to this genesis");
  }
  Status s = write_manifest(tmp + "/backup.json", info);
  if (s) s = sync_tree(tmp);
  if (s) {
    fs::rename(tmp, dir, ec);
    if (ec) s = io_error("rename " + tmp + " to " + dir, ec);
  }
  if (s) s = sync_dir(fs::path(dir).parent_path().string());
  if (!s) {
    cleanup();
    return s;
  }
  spdlog::info("backup of height {} (state hash {}) written to {}", info.height,
               to_hex(info.state_hash), dir);
  return info;
}

Result<BackupInfo> read_backup_manifest(const std::string& dir) {
  const std::string path = dir + "/backup.json";
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return invalid("no backup.json in " + dir + ": " + ec.message());
  if (size > kManifestMaxBytes) return invalid("backup.json is larger than 64 KiB");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
  if (!j.is_object()) return invalid("backup.json is not a JSON object");
  auto str = [&](const char* name) -> std::optional<std::string> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto num = [&](const char* name) -> std::optional<uint64_t> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
    return it->get<uint64_t>();
  };
  if (str("format") != std::string(kBackupFormat)) {
    return invalid(std::string("backup.json: format is not ") + kBackupFormat);
  }
  BackupInfo info;
  auto chain = str("chain_id");
  auto gh = from_hex_array<32>(str("genesis_hash").value_or(""));
  auto sh = from_hex_array<32>(str("state_hash").value_or(""));
  auto height = num("height");
  auto index = num("raft_index");
  auto created = num("created_ms");
  auto source = str("source_node");
  if (!chain) return invalid("backup.json: chain_id missing or not a string");
  if (!gh) return invalid("backup.json: genesis_hash is not 64 hex");
  if (!sh) return invalid("backup.json: state_hash is not 64 hex");
  if (!height) return invalid("backup.json: height missing or not an unsigned integer");
  if (!index) return invalid("backup.json: raft_index missing or not an unsigned integer");
  if (!created) return invalid("backup.json: created_ms missing or not an unsigned integer");
  if (!source) return invalid("backup.json: source_node missing or not a string");
  info.chain_id = *chain;
  info.genesis_hash = *gh;
  info.state_hash = *sh;
  info.height = *height;
  info.raft_index = *index;
  info.created_ms = *created;
  info.source_node = *source;
  if (!fs::is_directory(dir + "/state", ec)) return invalid("no state/ directory in " + dir);
  return info;
}

Result<BackupInfo> restore_backup(const std::string& from, const std::string& data_dir,
                                  const ledger::Genesis& genesis, const std::string& node_id,
                                  const PubKey& node_pubkey, uint64_t now_ms) {
  auto manifest = read_backup_manifest(from);
  if (!manifest) return manifest.status();
  if (manifest->genesis_hash != genesis.hash) {
    return Status::error("genesis_mismatch", "the backup is of chain " + manifest->chain_id +
                                                 " (genesis " + to_hex(manifest->genesis_hash) +
                                                 "), not of this node's genesis " +
                                                 to_hex(genesis.hash));
  }
  std::error_code ec;
  const bool existed = fs::exists(data_dir, ec);
  if (existed && !fs::is_empty(data_dir, ec)) {
    return Status::error("invalid_argument", "the data directory " + data_dir +
                                                 " is not empty: restore into a new one");
  }
  fs::create_directories(data_dir, ec);
  if (ec) return io_error("create " + data_dir, ec);
  auto undo = [&] {
    if (existed) {
      for (const auto& e : fs::directory_iterator(data_dir, ec)) fs::remove_all(e.path(), ec);
    } else {
      fs::remove_all(data_dir, ec);
    }
  };
  // Copy first and check the copy: opening a RocksDB database writes to it,
  // and the backup stays untouched.
  const std::string tmp = data_dir + "/state.restoring";
  fs::copy(from + "/state", tmp, fs::copy_options::recursive, ec);
  if (ec) {
    undo();
    return io_error("copy " + from + "/state", ec);
  }
  auto checked = check_restored(tmp, *manifest, genesis, node_id, node_pubkey);
  Status s = checked ? sync_tree(tmp) : checked.status();
  if (s) {
    fs::rename(tmp, data_dir + "/state", ec);
    if (ec) s = io_error("rename " + tmp, ec);
  }
  if (s) {
    RestoreMarker marker{manifest->height, now_ms, node_id, node_pubkey};
    s = write_json_file(data_dir + "/" + kRestoreMarkerFile, {{"height", marker.height},
                                                              {"restored_ms", marker.restored_ms},
                                                              {"node_id", marker.node_id},
                                                              {"pubkey", to_hex(marker.pubkey)}});
  }
  if (s) s = sync_dir(data_dir);
  if (!s) {
    undo();
    return s;
  }
  return *manifest;
}

Result<std::optional<RestoreMarker>> read_restore_marker(const std::string& data_dir) {
  const std::string path = data_dir + "/" + kRestoreMarkerFile;
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<RestoreMarker>{};
  auto bad = [&](const std::string& what) { return invalid(path + ": " + what); };
  if (fs::file_size(path, ec) > kManifestMaxBytes || ec) return bad("missing or too large");
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("not a JSON object");
  RestoreMarker m;
  for (const char* k : {"height", "restored_ms"}) {
    if (!j.contains(k) || !j[k].is_number_unsigned())
      return bad(std::string(k) + " must be an unsigned integer");
  }
  m.height = j["height"].get<uint64_t>();
  m.restored_ms = j["restored_ms"].get<uint64_t>();
  if (!j.contains("node_id") || !j["node_id"].is_string()) return bad("node_id must be a string");
  m.node_id = j["node_id"].get<std::string>();
  if (!j.contains("pubkey") || !j["pubkey"].is_string()) return bad("pubkey must be a string");
  auto key = from_hex_array<32>(j["pubkey"].get<std::string>());
  if (!key) return bad("pubkey must be 64 lowercase hex digits");
  m.pubkey = *key;
  return std::optional<RestoreMarker>{m};
}

Status clear_restore_marker(const std::string& data_dir) {
  std::error_code ec;
  fs::remove(data_dir + "/" + kRestoreMarkerFile, ec);
  if (ec) return io_error("remove " + data_dir + "/" + kRestoreMarkerFile, ec);
  return sync_dir(data_dir);
}

Result<Admission> check_admission(const StateStore& state, const RestoreMarker& marker) {
  std::optional<ledger::NodeMember> holder;
  const std::string nodes = ledger::keys::node("");
  state.scan(nodes, ledger::keys::family_end(nodes), [&](std::string_view, std::string_view v) {
    ledger::NodeMember m;
    if (ledger::decode(v, m) && (m.node_id == marker.node_id || m.pubkey == marker.pubkey)) {
      holder = m;
      return false;
    }
    return true;
  });
  if (!holder) return Admission::kWaiting;
  // The proposals that admitted this exact identity; one made after the
  // restore is the operator's admission of the restored node.
  std::string proposals = ledger::keys::proposal(Hash32{});
  proposals.resize(proposals.size() - Hash32{}.size());
  std::optional<uint64_t> admitted_before;
  bool admitted_after = false;
  if (holder->node_id == marker.node_id && holder->pubkey == marker.pubkey) {
    state.scan(proposals, ledger::keys::family_end(proposals),
               [&](std::string_view, std::string_view v) {
                 ledger::Proposal p;
                 if (!ledger::decode(v, p) || p.kind != ledger::ProposalKind::kNode ||
                     p.state != ledger::ProposalState::kDone ||
                     p.node.action == ledger::NodeAction::kRemove ||
                     p.node.node_id != marker.node_id || p.node.pubkey != marker.pubkey) {
                   return true;
                 }
                 uint64_t time = 0;
                 if (auto raw = state.get(ledger::keys::block(p.created_height))) {
                   if (auto rec = ledger::decode_block_record(*raw)) time = rec->header.time;
                 }
                 if (p.created_height > marker.height && time >= marker.restored_ms) {
                   admitted_after = true;
                   return false;
                 }
                 admitted_before = p.created_height;
                 return true;
               });
  }
  if (admitted_after) return Admission::kAdmitted;
  return Status::error(
      "identity_in_use",
      "node id " + marker.node_id + " or its key belongs to member " + holder->node_id +
          (admitted_before ? ", proposed at height " + std::to_string(*admitted_before) : "") +
          ", admitted before this data directory was restored: a restored node must come back "
          "as a new member (a new node id and key, then node_propose and proposal_approve)");
}

}  // namespace suanli::node
