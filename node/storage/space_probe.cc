#include "node/storage/space_probe.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <memory>

namespace suanli::node {
namespace {
// About what a reopen writes first: a new WAL and MANIFEST.
constexpr size_t kProbeBytes = 64 << 10;
}  // namespace

Status probe_write(rocksdb::Env* env, const std::string& dir) {
  if (env == nullptr) env = rocksdb::Env::Default();
  const std::shared_ptr<rocksdb::FileSystem>& fs = env->GetFileSystem();
  const std::string path = dir + "/SPACE-PROBE";
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOOptions io;
  rocksdb::IOStatus s = fs->NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr);
  if (s.ok()) s = file->Append(std::string(kProbeBytes, '\0'), io, nullptr);
  if (s.ok()) s = file->Sync(io, nullptr);
  if (file) (void)file->Close(io, nullptr);
  (void)fs->DeleteFile(path, io, nullptr);
  if (s.ok()) return Status::ok();
  return Status::error(s.IsNoSpace() ? "no_space" : "io_error",
                       "write to " + dir + ": " + s.ToString());
}

}  // namespace suanli::node
