// SegmentLog: the Raft log's segment files. Reopening recovers exactly what
// was appended; a torn tail is dropped, a record lost in the middle is
// reported; conflicting suffixes, compaction and a new generation leave the
// files that a crash at any point recovers correctly from.
#include "node/storage/segment_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/node/cluster_util.h"
#include "tests/node/fault_fs.h"

namespace suanli::node {
namespace {

namespace fs = std::filesystem;
using consensus::Entry;
using consensus::EntryType;
using consensus::Index;
using consensus::Term;

struct TempDir : testing::TempDir {
  TempDir() : testing::TempDir("segments") {}
  std::string log() const { return sub("log"); }
};

std::string payload(Index i, Term t) {
  return "entry " + std::to_string(i) + " term " + std::to_string(t) + std::string(100, 'x');
}

std::vector<Entry> ents(Index first, Index last, Term t) {
  std::vector<Entry> out;
  for (Index i = first; i <= last; ++i)
    out.push_back(Entry{t, i, EntryType::kNormal, payload(i, t)});
  return out;
}

constexpr uint64_t kSmall = 1000;  // about 7 records a segment

std::shared_ptr<rocksdb::FileSystem> posix() { return rocksdb::FileSystem::Default(); }

std::unique_ptr<SegmentLog> open_ok(const std::string& dir, uint64_t gen = 0, Index after = 0,
                                    std::shared_ptr<rocksdb::FileSystem> fsys = posix()) {
  auto log = SegmentLog::open(std::move(fsys), dir, gen, after, SegmentLog::Options{kSmall});
  EXPECT_TRUE(log) << log.status().to_string();
  return log ? std::move(*log) : nullptr;
}

// Every entry of [lo, hi] reads back with term `terms(i)`.
void expect_entries(const SegmentLog& log, Index lo, Index hi,
                    const std::function<Term(Index)>& terms) {
  ASSERT_EQ(log.first_index(), lo);
  ASSERT_EQ(log.last_index(), hi);
  auto got = log.read(lo, hi + 1, UINT64_MAX);
  ASSERT_TRUE(got) << got.status().to_string();
  ASSERT_EQ(got->size(), hi - lo + 1);
  for (Index i = lo; i <= hi; ++i) {
    const Entry& e = (*got)[i - lo];
    EXPECT_EQ(e.index, i);
    EXPECT_EQ(e.term, terms(i)) << i;
    EXPECT_EQ(log.term(i), terms(i)) << i;
    EXPECT_EQ(e.data, payload(i, terms(i))) << i;
  }
}

std::vector<std::string> segment_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& f : fs::directory_iterator(dir)) out.push_back(f.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SegmentLogTest, AppendsReadBackAcrossSegmentsAndAfterReopen) {
  TempDir dir;
  {
    auto log = open_ok(dir.log());
    EXPECT_TRUE(log->empty());
    EXPECT_EQ(log->first_index(), 1u);
    EXPECT_EQ(log->last_index(), 0u);
    ASSERT_TRUE(log->append(ents(1, 20, 1)));
    ASSERT_TRUE(log->append(ents(21, 40, 2)));
    EXPECT_GE(log->segment_count(), 5u);
    expect_entries(*log, 1, 40, [](Index i) { return i <= 20 ? 1 : 2; });
    // max_bytes stops a read, but never before its first entry.
    auto some = log->read(5, 40, 3 * consensus::entry_bytes(ents(5, 5, 1)[0]));
    ASSERT_TRUE(some);
    EXPECT_EQ(some->size(), 3u);
    auto one = log->read(7, 40, 1);
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].index, 7u);
  }
  auto log = open_ok(dir.log());
  EXPECT_EQ(log->torn_bytes(), 0u);
  expect_entries(*log, 1, 40, [](Index i) { return i <= 20 ? 1 : 2; });
  uint64_t on_disk = 0;
  for (const std::string& name : segment_files(dir.log())) {
    on_disk += fs::file_size(dir.log() + "/" + name);
  }
  EXPECT_EQ(log->bytes(), on_disk);
  EXPECT_EQ(log->segment_count(), segment_files(dir.log()).size());
  // A reopened log goes on in a new segment.
  const size_t before = segment_files(dir.log()).size();
  ASSERT_TRUE(log->append(ents(41, 41, 2)));
  EXPECT_EQ(segment_files(dir.log()).size(), before + 1);
  expect_entries(*log, 1, 41, [](Index i) { return i <= 20 ? 1 : 2; });
}

TEST(SegmentLogTest, ConflictingSuffixIsReplacedAndStaysReplacedAfterReopen) {
  TempDir dir;
  auto terms = [](Index i) -> Term { return i < 12 ? 1 : 3; };
  {
    auto log = open_ok(dir.log());
    ASSERT_TRUE(log->append(ents(1, 30, 1)));
    // Into an older segment: later segments go, the new entries supersede.
    ASSERT_TRUE(log->append(ents(12, 15, 3)));
    expect_entries(*log, 1, 15, terms);
    for (const std::string& name : segment_files(dir.log())) {
      EXPECT_LE(std::stoull(name.substr(34, 16), nullptr, 16), 12u) << name;
    }
    // Into the segment being written.
    ASSERT_TRUE(log->append(ents(14, 14, 4)));
    expect_entries(*log, 1, 14, [&](Index i) -> Term { return i == 14 ? 4 : terms(i); });
  }
  auto log = open_ok(dir.log());
  expect_entries(*log, 1, 14, [&](Index i) -> Term { return i == 14 ? 4 : terms(i); });
  // Replacing from a segment's very first entry replaces that segment's file.
  ASSERT_TRUE(log->append(ents(15, 15, 4)));
  ASSERT_TRUE(log->append(ents(15, 16, 5)));
  expect_entries(*log, 1, 16, [&](Index i) -> Term {
    return i >= 15 ? 5 : i == 14 ? 4 : terms(i);
  });
  log.reset();
  log = open_ok(dir.log());
  expect_entries(*log, 1, 16, [&](Index i) -> Term {
    return i >= 15 ? 5 : i == 14 ? 4 : terms(i);
  });
}

TEST(SegmentLogTest, TornTailIsDroppedAndTheLogGoesOn) {
  TempDir dir;
  {
    auto log = open_ok(dir.log());
    ASSERT_TRUE(log->append(ents(1, 10, 1)));
  }
  const std::string last = dir.log() + "/" + segment_files(dir.log()).back();
  // Half of the last record reached the disk.
  fs::resize_file(last, fs::file_size(last) - 60);
  uint64_t torn = 0;
  {
    auto log = open_ok(dir.log());
    torn = log->torn_bytes();
    EXPECT_GT(torn, 0u);
    expect_entries(*log, 1, 9, [](Index) { return 1; });
    ASSERT_TRUE(log->append(ents(10, 12, 2)));
  }
  // The torn bytes stay in their segment, behind the one that goes on.
  auto log = open_ok(dir.log());
  expect_entries(*log, 1, 12, [](Index i) -> Term { return i < 10 ? 1 : 2; });
  // Zeros after the last record (a file extended, its data never written).
  log.reset();
  const std::string now_last = dir.log() + "/" + segment_files(dir.log()).back();
  { std::ofstream(now_last, std::ios::app | std::ios::binary) << std::string(300, '\0'); }
  log = open_ok(dir.log());
  EXPECT_EQ(log->torn_bytes(), torn + 300u);
  expect_entries(*log, 1, 12, [](Index i) -> Term { return i < 10 ? 1 : 2; });
}

void flip_byte(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  f.seekp(static_cast<std::streamoff>(at));
  c = static_cast<char>(c ^ 0x20);
  f.write(&c, 1);
}

TEST(SegmentLogTest, ARecordLostInTheMiddleOfTheLogIsCorruption) {
  TempDir dir;
  {
    auto log = open_ok(dir.log());
    ASSERT_TRUE(log->append(ents(1, 30, 1)));
  }
  const std::vector<std::string> files = segment_files(dir.log());
  ASSERT_GE(files.size(), 3u);
  const std::string first = dir.log() + "/" + files[0];
  // The last record of a closed segment: the next one does not start there.
  flip_byte(first, fs::file_size(first) - 5);
  auto bad = SegmentLog::open(posix(), dir.log(), 0, 0, SegmentLog::Options{kSmall});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), "corruption") << bad.status().to_string();
  EXPECT_NE(bad.status().message().find(files[1]), std::string::npos) << bad.status().message();
  // Once those entries are compacted away, they are not needed any more.
  const Index second_first = std::stoull(files[1].substr(34, 16), nullptr, 16);
  auto log = open_ok(dir.log(), 0, second_first - 1);
  expect_entries(*log, second_first, 30, [](Index) { return 1; });
}

TEST(SegmentLogTest, AReadChecksEveryRecord) {
  TempDir dir;
  auto log = open_ok(dir.log());
  ASSERT_TRUE(log->append(ents(1, 3, 1)));
  flip_byte(dir.log() + "/" + segment_files(dir.log()).back(), 20);
  auto got = log->read(1, 4, UINT64_MAX);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), "corruption");
  EXPECT_NE(got.status().message().find("entry 1"), std::string::npos) << got.status().message();
}

TEST(SegmentLogTest, DropThroughDeletesOnlyWholeSegments) {
  TempDir dir;
  auto log = open_ok(dir.log());
  ASSERT_TRUE(log->append(ents(1, 40, 1)));
  const size_t before = segment_files(dir.log()).size();
  ASSERT_TRUE(log->drop_through(20));
  EXPECT_EQ(log->first_index(), 21u);
  const std::vector<std::string> files = segment_files(dir.log());
  EXPECT_LT(files.size(), before);
  // The first file left still holds entry 21.
  EXPECT_LE(std::stoull(files[0].substr(34, 16), nullptr, 16), 21u);
  expect_entries(*log, 21, 40, [](Index) { return 1; });
  log.reset();
  log = open_ok(dir.log(), 0, 20);
  expect_entries(*log, 21, 40, [](Index) { return 1; });
  // Everything dropped: the log restarts after the point.
  ASSERT_TRUE(log->drop_through(40));
  EXPECT_TRUE(log->empty());
  EXPECT_EQ(log->first_index(), 41u);
  ASSERT_TRUE(log->append(ents(41, 42, 2)));
  expect_entries(*log, 41, 42, [](Index) { return 2; });
}

// The node's setting: files are removed on the log's own thread, and all of
// them by the time the log is closed.
TEST(SegmentLogTest, BackgroundDeletesAreDoneWhenTheLogCloses) {
  TempDir dir;
  SegmentLog::Options options{kSmall, true};
  auto opened = SegmentLog::open(posix(), dir.log(), 0, 0, options);
  ASSERT_TRUE(opened) << opened.status().to_string();
  std::unique_ptr<SegmentLog> log = std::move(*opened);
  ASSERT_TRUE(log->append(ents(1, 40, 1)));
  const size_t before = segment_files(dir.log()).size();
  ASSERT_TRUE(log->drop_through(20));
  expect_entries(*log, 21, 40, [](Index) { return 1; });
  log->reset(1, 50);
  ASSERT_TRUE(log->append(ents(51, 52, 2)));
  log.reset();
  const std::vector<std::string> files = segment_files(dir.log());
  EXPECT_LT(files.size(), before);
  for (const std::string& name : files) EXPECT_EQ(name.substr(0, 16), "0000000000000001") << name;
  log = open_ok(dir.log(), 1, 50);
  expect_entries(*log, 51, 52, [](Index) { return 2; });
}

TEST(SegmentLogTest, ANewGenerationIgnoresAndDeletesTheOldOne) {
  TempDir dir;
  auto log = open_ok(dir.log());
  ASSERT_TRUE(log->append(ents(1, 20, 1)));
  // Keep a copy of an old file, as if its delete had not reached the disk.
  const std::string old = segment_files(dir.log()).back();
  fs::copy_file(dir.log() + "/" + old, dir.log() + "/keep");
  log->reset(1, 100);
  EXPECT_TRUE(log->empty());
  EXPECT_EQ(log->first_index(), 101u);
  EXPECT_TRUE(segment_files(dir.log()) == std::vector<std::string>{"keep"});
  fs::rename(dir.log() + "/keep", dir.log() + "/" + old);
  ASSERT_TRUE(log->append(ents(101, 103, 5)));
  log.reset();
  log = open_ok(dir.log(), 1, 100);
  expect_entries(*log, 101, 103, [](Index) { return 5; });
  for (const std::string& name : segment_files(dir.log()))
    EXPECT_EQ(name.substr(0, 16), "0000000000000001");
}

TEST(SegmentLogTest, AFailedAppendChangesNothingAndPowerLossKeepsSyncedEntries) {
  TempDir dir;
  auto fault = std::make_shared<testing::FaultFs>();
  {
    auto log = open_ok(dir.log(), 0, 0, fault);
    ASSERT_TRUE(log->append(ents(1, 12, 1)));
    fault->set_no_space(true);
    Status s = log->append(ents(13, 20, 1));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code(), "no_space") << s.to_string();
    expect_entries(*log, 1, 12, [](Index) { return 1; });
    // A refused conflicting append leaves the entries it would replace.
    fault->set_no_space(false);
    fault->set_no_space(true);
    EXPECT_FALSE(log->append(ents(5, 6, 3)));
    fault->set_no_space(false);
    expect_entries(*log, 1, 12, [](Index) { return 1; });
    ASSERT_TRUE(log->append(ents(13, 20, 2)));
    fault->freeze();
  }
  // Every append was synced, its new segments' names too.
  fault->power_loss();
  auto log = open_ok(dir.log(), 0, 0, fault);
  expect_entries(*log, 1, 20, [](Index i) -> Term { return i <= 12 ? 1 : 2; });
}

}  // namespace
}  // namespace suanli::node
