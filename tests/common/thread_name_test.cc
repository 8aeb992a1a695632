#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace suanli {
namespace {

std::string own_name() {
  std::ifstream in("/proc/self/task/" + std::to_string(::syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

TEST(ThreadNameTest, NamesTheCallingThreadOnly) {
  std::string main_before = own_name();
  std::string seen;
  std::thread([&] {
    set_thread_name("verify-3");
    seen = own_name();
  }).join();
  EXPECT_EQ(seen, "verify-3");
  EXPECT_EQ(own_name(), main_before);
}

TEST(ThreadNameTest, LongNamesAreCutToFifteenBytes) {
  std::string seen;
  std::thread([&] {
    set_thread_name("a-name-longer-than-fifteen");
    seen = own_name();
  }).join();
  EXPECT_EQ(seen, "a-name-longer-t");
}

}  // namespace
}  // namespace suanli
