// Whether a directory takes writes again after a full disk, before a
// database is closed and reopened there (a reopen that fails leaves it
// closed).
#pragma once

#include <string>

#include "common/status.h"

namespace rocksdb {
class Env;
}

namespace suanli::node {

// Writes, syncs and removes a small file in `dir` through `env` (null: the
// default). Errors: "no_space", "io_error".
Status probe_write(rocksdb::Env* env, const std::string& dir);

}  // namespace suanli::node
