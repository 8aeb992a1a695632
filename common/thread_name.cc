#include "common/thread_name.h"

#include <pthread.h>

#include <string>

namespace suanli {

void set_thread_name(std::string_view name) {
  std::string cut(name.substr(0, 15));
  (void)::pthread_setname_np(::pthread_self(), cut.c_str());
}

}  // namespace suanli
