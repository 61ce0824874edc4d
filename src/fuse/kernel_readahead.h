#pragma once

#include <string>

namespace fuse_adapter {

// The kernel reads ahead on a FUSE mount no more than its backing device's read_ahead_kb, 128 KiB
// by default, whatever max_readahead the filesystem asks for; so a sequential reader's requests
// arrive 128 KiB at a time. This raises it for the mount at `mountpoint` through sysfs (root
// only), so requests come a whole 1 MiB block at a time. Failing is harmless: logged, not fatal.
void raise_kernel_readahead(const std::string& mountpoint, int kib);

}  // namespace fuse_adapter
