#include "fs/metadata_cache.h"

#include "dbfs/path.h"

namespace fs {
namespace {

bool is_under(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || (path.size() > root.size() && path.starts_with(root) &&
                          path[root.size()] == '/');
}

template <typename Map>
void erase_tree(Map& map, const std::string& root) {
  std::erase_if(map, [&](const auto& kv) { return is_under(kv.first, root); });
}

}  // namespace

MetadataCache::MetadataCache(Ttls ttls, NowFn now) : ttls_(ttls), now_(std::move(now)) {}

MetadataCache::Lookup MetadataCache::lookup(const std::string& path) {
  threads::MutexLock lock(mutex_);
  auto now = now_();
  if (auto it = attrs_.find(path); it != attrs_.end()) {
    if (it->second.expires > now) {
      if (it->second.info) return {State::kPresent, *it->second.info};
      return {State::kMissing, {}};
    }
    attrs_.erase(it);
  }
  if (path != "/") {
    auto dir = listings_.find(dbfs::path::parent(path));
    if (dir != listings_.end() && dir->second.expires > now) {
      // A fresh listing of the parent answers for every name in that directory.
      auto entry = dir->second.index.find(path);
      if (entry == dir->second.index.end()) return {State::kMissing, {}};
      return {State::kPresent, dir->second.entries[entry->second]};
    }
  }
  return {};
}

std::optional<std::vector<dbfs::FileInfo>> MetadataCache::listing(const std::string& dir) {
  threads::MutexLock lock(mutex_);
  auto it = listings_.find(dir);
  if (it == listings_.end()) return std::nullopt;
  if (it->second.expires <= now_()) {
    listings_.erase(it);
    return std::nullopt;
  }
  return it->second.entries;
}

void MetadataCache::put(const dbfs::FileInfo& info) {
  threads::MutexLock lock(mutex_);
  attrs_[info.path] = Attr{info, now_() + ttls_.attr};
  update_parent_listing(info.path, &info);
}

void MetadataCache::replace(const dbfs::FileInfo& info) {
  threads::MutexLock lock(mutex_);
  erase_tree(attrs_, info.path);
  erase_tree(listings_, info.path);
  attrs_[info.path] = Attr{info, now_() + ttls_.attr};
  update_parent_listing(info.path, &info);
}

void MetadataCache::put_missing(const std::string& path) {
  threads::MutexLock lock(mutex_);
  erase_tree(attrs_, path);
  erase_tree(listings_, path);
  attrs_[path] = Attr{std::nullopt, now_() + ttls_.negative};
  update_parent_listing(path, nullptr);
}

void MetadataCache::update_parent_listing(const std::string& path, const dbfs::FileInfo* info) {
  if (path == "/") return;
  auto dir = listings_.find(dbfs::path::parent(path));
  if (dir == listings_.end()) return;
  Listing& l = dir->second;
  auto at = l.index.find(path);
  if (info) {
    if (at != l.index.end()) {
      l.entries[at->second] = *info;
    } else {
      l.index.emplace(path, l.entries.size());
      l.entries.push_back(*info);
    }
  } else if (at != l.index.end()) {
    size_t pos = at->second;
    l.index.erase(at);
    if (pos + 1 != l.entries.size()) {
      l.entries[pos] = std::move(l.entries.back());
      l.index[l.entries[pos].path] = pos;
    }
    l.entries.pop_back();
  }
}

void MetadataCache::put_listing(const std::string& dir, const std::vector<dbfs::FileInfo>& entries) {
  threads::MutexLock lock(mutex_);
  auto now = now_();
  Listing listing{entries, {}, now + ttls_.dir};
  listing.index.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    listing.index.emplace(entries[i].path, i);
    attrs_[entries[i].path] = Attr{entries[i], now + ttls_.attr};
  }
  listings_[dir] = std::move(listing);
}

void MetadataCache::invalidate(const std::string& path) {
  threads::MutexLock lock(mutex_);
  erase_tree(attrs_, path);
  erase_tree(listings_, path);
  listings_.erase(dbfs::path::parent(path));
}

}  // namespace fs
