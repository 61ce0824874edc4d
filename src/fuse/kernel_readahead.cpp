#include "fuse/kernel_readahead.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fuse_adapter {
namespace {

// The "major:minor" of the mount at `mountpoint`, from /proc/self/mountinfo: reading the
// mountinfo, rather than stat() on the mount point, never sends a request to our own mount.
std::string device_of(const std::string& mountpoint) {
  char* resolved = ::realpath(mountpoint.c_str(), nullptr);
  std::string target = resolved ? resolved : mountpoint;
  std::free(resolved);
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line, device;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point == target) device = dev;  // the last one wins: ours is mounted on top
  }
  return device;
}

}  // namespace

void raise_kernel_readahead(const std::string& mountpoint, int kib) {
  std::string device = device_of(mountpoint);
  if (device.empty()) return;
  std::ofstream setting("/sys/class/bdi/" + device + "/read_ahead_kb");
  setting << kib;
  setting.flush();
  if (!setting) {
    spdlog::debug("could not raise the kernel's readahead for {} ({}): reads arrive in 128 KiB",
                  mountpoint, device);
  }
}

}  // namespace fuse_adapter
