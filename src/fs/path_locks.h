#pragma once

#include <condition_variable>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/thread_annotations.h"
#include "dbfs/path.h"

namespace fs {

// Keeps operations on the same path from interleaving where their steps must not: looking a
// file up and attaching its node (open, truncate) against removing or replacing it (unlink,
// rename). Without it, an open could find a file through a cached entry an instant after unlink
// deleted it, and attach a node that no unlink marks removed. A held path also holds everything
// below it: a rename of a directory excludes operations on the files in it. Held across store
// calls, so only operations on the same path (or a directory above it) wait. Taken before any
// node's lock.
class PathLocks {
 public:
  // Holds its paths until destroyed.
  class Held {
   public:
    Held(PathLocks& locks, std::vector<std::string> paths)
        : locks_(locks), paths_(std::move(paths)) {}
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
    ~Held() { locks_.release(paths_); }

   private:
    PathLocks& locks_;
    std::vector<std::string> paths_;
  };

  // Waits until no one holds `path`, then holds it.
  [[nodiscard]] Held hold(const std::string& path) EXCLUDES(mutex_) {
    return hold(std::vector<std::string>{path});
  }
  // Holds all of `paths` at once (all or nothing, so two holders never deadlock).
  [[nodiscard]] Held hold(std::vector<std::string> paths) EXCLUDES(mutex_);

 private:
  void release(const std::vector<std::string>& paths) EXCLUDES(mutex_);
  bool any_held(const std::vector<std::string>& paths) REQUIRES(mutex_);

  threads::Mutex mutex_;
  std::unordered_multiset<std::string> held_ GUARDED_BY(mutex_);
  std::condition_variable released_;
};

inline bool PathLocks::any_held(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    for (const auto& held : held_) {
      if (dbfs::path::is_within(path, held) || dbfs::path::is_within(held, path)) return true;
    }
  }
  return false;
}

inline PathLocks::Held PathLocks::hold(std::vector<std::string> paths) {
  threads::MutexLock lock(mutex_);
  while (any_held(paths)) lock.wait(released_);
  for (const auto& path : paths) held_.insert(path);
  return Held(*this, std::move(paths));
}

inline void PathLocks::release(const std::vector<std::string>& paths) {
  {
    threads::MutexLock lock(mutex_);
    for (const auto& path : paths) held_.erase(held_.find(path));
  }
  released_.notify_all();
}

}  // namespace fs
