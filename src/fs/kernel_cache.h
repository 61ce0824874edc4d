#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/thread_annotations.h"
#include "dbfs/file_info.h"

namespace fs {

// Whether the kernel may keep the pages it has of a file at open: only if the file's version
// (size, mtime) is the one it had when last opened. A lock of its own, taken last: open asks
// with the node's lock held.
class KernelCache {
 public:
  bool keep(const std::string& path, const dbfs::FileInfo& info) EXCLUDES(mutex_) {
    threads::MutexLock lock(mutex_);
    if (opened_.size() > 100'000) opened_.clear();  // a bound: kernel caches drop pages too
    auto version = std::make_pair(info.file_size, info.modification_time);
    auto [it, inserted] = opened_.try_emplace(path, version);
    if (inserted) return false;
    bool same = it->second == version;
    it->second = version;
    return same;
  }

 private:
  threads::Mutex mutex_;
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> opened_ GUARDED_BY(mutex_);
};

}  // namespace fs
