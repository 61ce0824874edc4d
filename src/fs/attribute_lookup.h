#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/thread_annotations.h"
#include "dbfs/file_info.h"

namespace fs {

class MetadataCache;
class Storage;

// The attributes of a store path: the metadata cache, then the store. A program stat()ing one
// name after another in a directory (rsync, make, git) is served by one listing instead of a
// get-status each: the second miss in a directory lists it. That listing only saves calls, so
// it gets one attempt, and a directory that cannot be listed (too big, failing) is asked name by
// name for a while.
class AttributeLookup {
 public:
  static constexpr std::chrono::seconds kUnlistableFor{300};

  AttributeLookup(Storage& storage, MetadataCache& metadata)
      : storage_(storage), metadata_(metadata) {}

  // nullopt when the path does not exist. Throws dbfs::ApiError.
  std::optional<dbfs::FileInfo> lookup(const std::string& path) EXCLUDES(mutex_);

 private:
  // Counts a miss in `dir`; true on every second one.
  bool second_miss_in(const std::string& dir) EXCLUDES(mutex_);
  void list_instead(const std::string& dir) EXCLUDES(mutex_);

  Storage& storage_;
  MetadataCache& metadata_;

  threads::Mutex mutex_;
  std::unordered_map<std::string, int> misses_ GUARDED_BY(mutex_);
  // Directories whose listing failed, and until when none is tried again.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> unlistable_until_
      GUARDED_BY(mutex_);
};

}  // namespace fs
