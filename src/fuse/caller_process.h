#pragma once

#include <sys/types.h>

namespace fuse_adapter {

// The process (thread group) of the thread that made the current FUSE request, or 0 if it is
// unknown (a request the kernel made on its own). The kernel names the thread; a descriptor's
// opener and closer are compared as processes, since any thread of a process may close it.
pid_t caller_process();

}  // namespace fuse_adapter
