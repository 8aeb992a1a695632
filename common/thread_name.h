// Names the calling thread, so that `top -H`, perf and gdb tell a node's
// threads apart (io, apply, verify-N, rpc-N).
#pragma once

#include <string_view>

namespace suanli {

// Linux keeps at most 15 bytes of a name; longer names are cut.
void set_thread_name(std::string_view name);

}  // namespace suanli
