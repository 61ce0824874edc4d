#include "fs/attribute_lookup.h"

#include <spdlog/spdlog.h>

#include "dbfs/api_error.h"
#include "dbfs/path.h"
#include "fs/metadata_cache.h"
#include "fs/storage.h"

namespace fs {

std::optional<dbfs::FileInfo> AttributeLookup::lookup(const std::string& path) {
  using State = MetadataCache::State;
  auto cached = metadata_.lookup(path);
  if (cached.state == State::kUnknown && path != "/" &&
      second_miss_in(dbfs::path::parent(path))) {
    list_instead(dbfs::path::parent(path));
    cached = metadata_.lookup(path);
  }
  if (cached.state == State::kPresent) return cached.info;
  if (cached.state == State::kMissing) return std::nullopt;
  try {
    dbfs::FileInfo info = storage_.stat(path);
    metadata_.put(info);
    return info;
  } catch (const dbfs::ApiError& e) {
    if (!e.is_not_found()) throw;
    metadata_.put_missing(path);
    return std::nullopt;
  }
}

void AttributeLookup::list_instead(const std::string& dir) {
  try {
    metadata_.put_listing(dir, storage_.list_once(dir));
  } catch (const dbfs::ApiError& e) {
    spdlog::debug("list {} instead of get-status failed: {}; not listing it again for {} s", dir,
                  e.what(), kUnlistableFor.count());
    threads::MutexLock lock(mutex_);
    unlistable_until_[dir] = std::chrono::steady_clock::now() + kUnlistableFor;
  }
}

bool AttributeLookup::second_miss_in(const std::string& dir) {
  threads::MutexLock lock(mutex_);
  // Bounds, not policies: counts start over.
  if (misses_.size() > 10'000) misses_.clear();
  if (unlistable_until_.size() > 10'000) unlistable_until_.clear();
  if (auto it = unlistable_until_.find(dir); it != unlistable_until_.end()) {
    if (std::chrono::steady_clock::now() < it->second) return false;
    unlistable_until_.erase(it);
  }
  int& misses = misses_[dir];
  if (++misses < 2) return false;
  misses = 0;
  return true;
}

}  // namespace fs
