#include "common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace suanli {
void assert_fail(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "suanli: assertion failed: %s at %s:%d %s\n", expr, file, line, msg);
  std::fflush(stderr);
  std::abort();
}
}  // namespace suanli
