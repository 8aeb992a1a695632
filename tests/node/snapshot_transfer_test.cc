#include "node/snapshot_transfer.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace suanli::node {
namespace {

namespace fs = std::filesystem;

std::string make_temp() {
  std::string pattern = ::testing::TempDir() + "suanli-snapxfer-XXXXXX";
  char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return pattern;
}

struct Dirs {
  std::string root = make_temp();
  std::string src = root + "/src";
  std::string dst = root + "/dst";
  ~Dirs() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Drives a fetcher against serve_fetch until it finishes; returns the requests made.
int transfer(SnapshotFetcher& f, const std::string& src, SnapFetch first,
             SnapshotFetcher::Step* last) {
  SnapFetch want = first;
  int requests = 0;
  while (true) {
    ++requests;
    // Every request and answer crosses the wire encoded.
    auto req = decode_fetch(encode_fetch(want));
    EXPECT_TRUE(req);
    auto chunk = decode_chunk(encode_chunk(serve_fetch(src, *req)));
    EXPECT_TRUE(chunk);
    *last = f.on_chunk(*chunk);
    if (last->kind != SnapshotFetcher::Step::kNext) return requests;
    want = last->next;
  }
}

TEST(SnapshotTransferTest, DescriptorRoundTripsAndRejectsOtherVersions) {
  SnapshotDescriptor d{120, 116, {}};
  d.state_hash[0] = 0xab;
  std::string enc = encode_descriptor(d);
  EXPECT_EQ(decode_descriptor(enc), d);
  std::string v1 = enc;
  v1[0] = 1;  // the old in-memory dump format
  EXPECT_FALSE(decode_descriptor(v1));
  EXPECT_FALSE(decode_descriptor(enc + "x"));
  EXPECT_FALSE(decode_descriptor(enc.substr(0, enc.size() - 1)));
  EXPECT_FALSE(decode_descriptor(encode_descriptor(SnapshotDescriptor{0, 0, {}})));
}

TEST(SnapshotTransferTest, FileListRefusesNamesThatLeaveTheDirectory) {
  std::vector<SnapshotFile> ok = {{"000012.sst", 10}, {"CURRENT", 16}, {"MANIFEST-000005", 0}};
  EXPECT_EQ(decode_file_list(encode_file_list(ok)), ok);
  for (const char* bad : {"..", ".", "a/b", "../x", "", "x\n", "\xe7\xae\x97"}) {
    EXPECT_FALSE(decode_file_list(encode_file_list({{bad, 1}}))) << bad;
  }
  EXPECT_FALSE(decode_file_list(encode_file_list({{"a", 1}, {"a", 2}}))) << "duplicate";
  EXPECT_FALSE(decode_file_list(encode_file_list({{"a", kSnapFileBytesMax + 1}})));
  EXPECT_FALSE(decode_file_list(encode_file_list({}))) << "an empty checkpoint";
  EXPECT_FALSE(decode_file_list(std::string("\xff\xff\xff\x7f", 4))) << "absurd count";
}

TEST(SnapshotTransferTest, HostileChunksAndFetchesDoNotDecode) {
  SnapChunk c{7, 2, 100, SnapStatus::kOk, "data"};
  std::string enc = encode_chunk(c);
  EXPECT_EQ(decode_chunk(enc), c);
  for (size_t n = 0; n < enc.size(); ++n) EXPECT_FALSE(decode_chunk(enc.substr(0, n))) << n;
  std::string bad_status = enc;
  bad_status[20] = 9;
  EXPECT_FALSE(decode_chunk(bad_status));
  EXPECT_FALSE(decode_chunk(encode_chunk({1, 0, 0, SnapStatus::kOk,
                                          std::string(kSnapChunkBytes + 1, 'x')})));
  SnapFetch f{7, 3, 9};
  EXPECT_EQ(decode_fetch(encode_fetch(f)), f);
  EXPECT_FALSE(decode_fetch(encode_fetch(f) + "z"));
}

TEST(SnapshotTransferTest, FetcherCopiesEveryFileExactlyInBoundedChunks) {
  Dirs d;
  fs::create_directories(d.src);
  const std::string big = random_bytes(2 * kSnapChunkBytes + 12345, 1);
  write_file(d.src + "/000009.sst", big);
  write_file(d.src + "/CURRENT", "MANIFEST-000004\n");
  write_file(d.src + "/EMPTY", "");
  SnapshotFetcher f;
  auto first = f.start(d.dst, SnapshotDescriptor{5, 4, {}}, "gz-1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->file, kSnapFileList);
  SnapshotFetcher::Step last;
  int requests = transfer(f, d.src, *first, &last);
  ASSERT_EQ(last.kind, SnapshotFetcher::Step::kDone) << last.error;
  EXPECT_FALSE(f.active());
  // The list, three chunks of the large file, one of CURRENT; nothing for EMPTY.
  EXPECT_EQ(requests, 5);
  EXPECT_EQ(read_file(d.dst + "/000009.sst"), big);
  EXPECT_EQ(read_file(d.dst + "/CURRENT"), "MANIFEST-000004\n");
  EXPECT_TRUE(fs::exists(d.dst + "/EMPTY"));
  EXPECT_EQ(fs::file_size(d.dst + "/EMPTY"), 0u);
  EXPECT_EQ(f.bytes_received(), big.size() + 16);
}

TEST(SnapshotTransferTest, FetcherIgnoresStaleAnswersAndFailsOnBadOnes) {
  Dirs d;
  fs::create_directories(d.src);
  write_file(d.src + "/A", "hello");
  SnapshotFetcher f;
  auto first = f.start(d.dst, SnapshotDescriptor{5, 4, {}}, "gz-1");
  ASSERT_TRUE(first);
  // An answer for another snapshot index is not ours: ask again.
  auto step = f.on_chunk(SnapChunk{6, kSnapFileList, 0, SnapStatus::kOk, "x"});
  EXPECT_EQ(step.kind, SnapshotFetcher::Step::kNext);
  EXPECT_EQ(step.next, *first);
  step = f.on_chunk(serve_fetch(d.src, *first));
  ASSERT_EQ(step.kind, SnapshotFetcher::Step::kNext);
  // More bytes than the file has: the transfer fails, nothing is installed.
  step = f.on_chunk(SnapChunk{5, 0, 0, SnapStatus::kOk, "hello world"});
  EXPECT_EQ(step.kind, SnapshotFetcher::Step::kFailed);
  EXPECT_FALSE(f.active());

  // A checkpoint the leader no longer has.
  first = f.start(d.dst, SnapshotDescriptor{5, 4, {}}, "gz-1");
  ASSERT_TRUE(first);
  step = f.on_chunk(serve_fetch(d.root + "/gone", *first));
  EXPECT_EQ(step.kind, SnapshotFetcher::Step::kFailed);
  EXPECT_NE(step.error.find("no longer"), std::string::npos) << step.error;

  // Restarting wipes what an earlier attempt left.
  write_file(d.dst + "/stale", "x");
  first = f.start(d.dst, SnapshotDescriptor{5, 4, {}}, "gz-1");
  ASSERT_TRUE(first);
  EXPECT_FALSE(fs::exists(d.dst + "/stale"));
}

TEST(SnapshotTransferTest, ServeRefusesOutOfRangeRequests) {
  Dirs d;
  fs::create_directories(d.src);
  write_file(d.src + "/A", "abc");
  EXPECT_EQ(serve_fetch(d.src, SnapFetch{1, 1, 0}).status, SnapStatus::kError);
  EXPECT_EQ(serve_fetch(d.src, SnapFetch{1, 0, 4}).status, SnapStatus::kError);
  auto c = serve_fetch(d.src, SnapFetch{1, 0, 1});
  EXPECT_EQ(c.status, SnapStatus::kOk);
  EXPECT_EQ(c.data, "bc");
}

}  // namespace
}  // namespace suanli::node
