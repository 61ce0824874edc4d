#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dbfs/file_info.h"
#include "fs/clock.h"
#include "common/thread_annotations.h"

namespace fs {

// What the server last said about paths, for a while: attributes (from get-status or from a
// directory's list), names known to be missing, and whole directory listings. A fresh listing
// also answers for the names it does not hold, so `ls` followed by `stat` of anything in that
// directory costs no call at all. Paths are DBFS paths.
class MetadataCache {
 public:
  struct Ttls {
    std::chrono::milliseconds attr{60'000};
    std::chrono::milliseconds dir{60'000};
    std::chrono::milliseconds negative{10'000};
  };

  enum class State { kUnknown, kPresent, kMissing };
  struct Lookup {
    State state = State::kUnknown;
    dbfs::FileInfo info;  // when kPresent
  };

  explicit MetadataCache(Ttls ttls, NowFn now = system_now());

  Lookup lookup(const std::string& path) EXCLUDES(mutex_);
  // The directory's entries, if a fresh listing is held.
  std::optional<std::vector<dbfs::FileInfo>> listing(const std::string& dir) EXCLUDES(mutex_);

  // Records what a path now is (or that it is missing), keeping a held listing of its parent in
  // step, so own changes need no new list call.
  void put(const dbfs::FileInfo& info) EXCLUDES(mutex_);
  void put_missing(const std::string& path) EXCLUDES(mutex_);
  // Like put, but also forgets everything below the path: what a rename moved there.
  void replace(const dbfs::FileInfo& info) EXCLUDES(mutex_);
  // Stores a listing and the attributes of each entry.
  void put_listing(const std::string& dir, const std::vector<dbfs::FileInfo>& entries)
      EXCLUDES(mutex_);

  // Forgets a path, everything below it, and the listing of its parent: for own mutations.
  void invalidate(const std::string& path) EXCLUDES(mutex_);

 private:
  struct Attr {
    std::optional<dbfs::FileInfo> info;  // nullopt: known missing
    Clock::time_point expires;
  };
  struct Listing {
    std::vector<dbfs::FileInfo> entries;
    std::unordered_map<std::string, size_t> index;  // path -> position in entries
    Clock::time_point expires;
  };

  void update_parent_listing(const std::string& path, const dbfs::FileInfo* info) REQUIRES(mutex_);

  Ttls ttls_;
  NowFn now_;
  threads::Mutex mutex_;
  std::unordered_map<std::string, Attr> attrs_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, Listing> listings_ GUARDED_BY(mutex_);
};

}  // namespace fs
