// SUANLI_ASSERT: invariant checks that stay on in release builds.
//
// An invariant failure means the code is wrong; continuing could make this
// node diverge from its peers, which is worse than stopping, so it aborts.
#pragma once

namespace suanli {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line, const char* msg);
}  // namespace suanli

#define SUANLI_ASSERT(expr)                                           \
  do {                                                                \
    if (!(expr)) ::suanli::assert_fail(#expr, __FILE__, __LINE__, ""); \
  } while (0)

#define SUANLI_ASSERT_MSG(expr, msg)                                   \
  do {                                                                 \
    if (!(expr)) ::suanli::assert_fail(#expr, __FILE__, __LINE__, msg); \
  } while (0)
