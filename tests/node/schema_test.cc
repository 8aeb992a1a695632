// The state database's schema version: recorded on first start, kept across
// restarts, and a database written by a newer suanli is refused untouched.
#include <gtest/gtest.h>

#include "node/meta.h"
#include "node/storage/state_store.h"
#include "tests/node/cluster_util.h"

namespace suanli::node::testing {
namespace {

std::optional<std::string> stored_version(const std::string& state_dir) {
  auto s = StateStore::open(state_dir);
  if (!s) return "cannot open: " + s.status().to_string();
  return (*s)->get(meta::key("schema_version"));
}

void set_version(const std::string& state_dir, const std::string& v) {
  auto s = StateStore::open(state_dir);
  ASSERT_TRUE(s);
  ledger::WriteSet w;
  w[meta::key("schema_version")] = v;
  ASSERT_TRUE((*s)->commit(w));
}

TEST(SchemaTest, VersionIsRecordedAndANewerDatabaseIsRefused) {
  Cluster c(1, temp_dir("schema"));
  const std::string state_dir = c.options(0).config.data_dir + "/state";
  ASSERT_TRUE(c.start(0));
  c.stop(0);
  EXPECT_EQ(stored_version(state_dir), std::to_string(meta::kSchemaVersion));

  // A database from before versions were recorded is version 1.
  {
    auto s = StateStore::open(state_dir);
    ASSERT_TRUE(s);
    ledger::WriteSet w;
    w[meta::key("schema_version")] = std::nullopt;
    ASSERT_TRUE((*s)->commit(w));
  }
  ASSERT_TRUE(c.start(0));
  c.stop(0);
  EXPECT_EQ(stored_version(state_dir), "1");

  set_version(state_dir, std::to_string(meta::kSchemaVersion + 1));
  Status s = c.start(0);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), "schema_too_new");
  EXPECT_NE(s.message().find("newer suanli"), std::string::npos) << s.to_string();
  EXPECT_EQ(stored_version(state_dir), std::to_string(meta::kSchemaVersion + 1))
      << "the refused database was changed";

  set_version(state_dir, "1x");
  s = c.start(0);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), "corruption");
}

}  // namespace
}  // namespace suanli::node::testing
