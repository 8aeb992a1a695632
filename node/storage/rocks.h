// What the Raft log and the state database share about RocksDB: the mapping
// of its errors to Status codes and the options that keep background work
// from stalling the foreground.
#pragma once

#include <rocksdb/options.h>
#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace suanli::node {

// Codes: "corruption", "busy" (locked or timed out), "no_space", "io_error",
// "invalid_argument", "not_found", else "storage_error".
Status from_rocksdb(const rocksdb::Status& s, const std::string& what);

// Flushes and compactions write their files out a megabyte at a time, so that
// the synced Raft log appends beside them never wait behind one large
// write-back.
void tune_background(rocksdb::DBOptions& options);

// 16 MiB memtables rather than RocksDB's 64: the three nodes of one machine
// hold the same data and flush and compact at the same moment, and a quarter
// of the burst each time keeps the commit latency's tail short (bench/PROFILE.md).
void tune_family(rocksdb::ColumnFamilyOptions& options);

// The memtable size of the state database at `path`: 12 to 20 MiB in steps of
// 128 KiB, by a hash of the path. Nodes apply the same blocks, so with one size
// they fill their memtables, and flush, in the same second; with different
// sizes their flushes drift apart and do not take every core at once.
size_t memtable_bytes_for(std::string_view path);

}  // namespace suanli::node
