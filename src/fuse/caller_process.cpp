#include "fuse/caller_process.h"

#define FUSE_USE_VERSION 314
#include <fuse.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace fuse_adapter {

pid_t caller_process() {
  fuse_context* context = fuse_get_context();
  pid_t thread = context ? context->pid : 0;
  if (thread <= 0) return 0;
  std::ifstream status("/proc/" + std::to_string(thread) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("Tgid:")) return pid_t(std::atoi(line.c_str() + 5));
  }
  return thread;  // gone already: its number is the best we have
}

}  // namespace fuse_adapter
