#include "fs/unsaved.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "dbfs/path.h"

namespace fs {
namespace {

// "<seconds>-<pid>-<n>-<name>": unique, sortable by time, and it says which file it was.
std::string copy_name(const std::string& dbfs_path) {
  static std::atomic<int> counter{0};
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  std::string name(dbfs::path::basename(dbfs_path).substr(0, 150));
  return std::to_string(seconds) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++) + "-" + name;
}

bool write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

}  // namespace

std::string keep_unsaved(const std::string& cache_dir, const std::string& dbfs_path,
                         const Staging& staging) {
  if (cache_dir.empty()) return {};
  std::string dir = cache_dir + "/unsaved";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    spdlog::error("cannot make {}: {}", dir, std::strerror(errno));
    return {};
  }
  std::string path = dir + "/" + copy_name(dbfs_path);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    spdlog::error("cannot make {}: {}", path, std::strerror(errno));
    return {};
  }
  bool ok = true;
  std::string chunk;
  try {
    for (int64_t offset = 0; ok && offset < staging.size(); offset += 1 << 20) {
      staging.read(offset, size_t(std::min<int64_t>(1 << 20, staging.size() - offset)), chunk);
      ok = write_all(fd, chunk);
    }
  } catch (const std::exception& e) {
    spdlog::error("reading the staged bytes of {}: {}", dbfs_path, e.what());
    ok = false;
  }
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) {
    spdlog::error("cannot write {}: {}", path, std::strerror(errno));
    ::unlink(path.c_str());
    return {};
  }
  return path;
}

}  // namespace fs
