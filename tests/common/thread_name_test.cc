#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <string_view>
#include <thread>

namespace suanli {
namespace {

std::string own_name() {
  std::ifstream in("/proc/self/task/" + std::to_string(::syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

// The name a new thread reads back after naming itself `name`.
std::string named_in_new_thread(std::string_view name) {
  std::string seen;
  std::thread([&] {
    set_thread_name(name);
    seen = own_name();
  }).join();
  return seen;
}

TEST(ThreadNameTest, NamesTheCallingThreadOnly) {
  std::string main_before = own_name();
  EXPECT_EQ(named_in_new_thread("verify-3"), "verify-3");
  EXPECT_EQ(own_name(), main_before);
}

TEST(ThreadNameTest, LongNamesAreCutToFifteenBytes) {
  EXPECT_EQ(named_in_new_thread("a-name-longer-than-fifteen"), "a-name-longer-t");
}

}  // namespace
}  // namespace suanli
