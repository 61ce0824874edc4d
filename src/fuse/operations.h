#pragma once

#define FUSE_USE_VERSION 314
#include <fuse.h>

#include "fs/filesystem.h"

namespace fuse_adapter {

// The libfuse high-level operation table: each operation is a few lines that call the
// Filesystem (reached through fuse_get_context()->private_data) and hand back its -errno.
fuse_operations make_operations();

}  // namespace fuse_adapter
