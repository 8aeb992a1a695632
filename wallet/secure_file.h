// Small file helpers for secrets: create-only writes with an exact mode, and
// reads that refuse files readable by group or others.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/status.h"

namespace suanli::wallet {

// Creates `path` (never replacing a file) with exactly `mode` whatever the
// umask, writes `text` and fsyncs it. On failure the partial file is removed.
// Errors: "already_exists", "io_error".
Status write_new_file(const std::string& path, const std::string& text, mode_t mode);

// Reads a whole file of at most `bytes_max` bytes. With `private_only`, a file
// whose mode allows group or others access is refused ("insecure_file").
// Errors: "not_found", "io_error", "too_large".
Result<std::string> read_small_file(const std::string& path, size_t bytes_max, bool private_only);

// Overwrites a string's bytes before it is freed.
void wipe(std::string& s);

}  // namespace suanli::wallet
