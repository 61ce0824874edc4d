#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "fs/block_bytes.h"
#include "common/thread_annotations.h"

namespace fs {

class ThreadPool;

// 1 MiB-aligned blocks of remote files, bounded in bytes, least recently used evicted first.
// A block is keyed by path, file version (size and mtime) and index, so a changed file never
// serves stale bytes. One fetch per block is ever in flight: concurrent readers of a missing
// block, and readahead, share it.
class BlockCache {
 public:
  using Block = std::shared_ptr<const BlockBytes>;
  using Fetch = std::function<BlockBytes()>;  // may throw; the error reaches every waiter

  struct Key {
    std::string path;
    int64_t size = 0;
    int64_t mtime = 0;
    int64_t index = 0;
  };

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;  // fetches started
    uint64_t bytes = 0;   // held now
    uint64_t taken = 0;   // blocks given up by take
  };

  explicit BlockCache(size_t capacity_bytes);

  // The block, fetched with `fetch` unless held or already in flight.
  Block get(const Key& key, const Fetch& fetch) EXCLUDES(mutex_);
  // Starts fetching on `pool` unless held or in flight; errors are dropped (a later get retries).
  void prefetch(const Key& key, Fetch fetch, ThreadPool& pool) EXCLUDES(mutex_);
  // Held, or being fetched (a reader asking for it now would share that fetch).
  bool contains(const Key& key) EXCLUDES(mutex_);
  // Takes `mine` (a block get returned for `key`) out of the cache and returns its bytes, when
  // no one but the cache and the caller holds it: a read that the kernel will cache whole needs
  // it no more, and can hand the memory over instead of copying it. Otherwise returns nothing
  // and leaves everything as it was.
  std::optional<BlockBytes> take(const Key& key, Block& mine) EXCLUDES(mutex_);
  // Drops every block of `path`, whatever its version.
  void forget(const std::string& path) EXCLUDES(mutex_);
  Stats stats() EXCLUDES(mutex_);

 private:
  struct Entry {
    std::string path;
    Block block;
    std::list<std::string>::iterator lru;
  };

  static std::string id(const Key& key);
  // Claims the fetch of `id` for the caller (returns a promise) or finds it held / in flight.
  std::shared_ptr<std::promise<void>> claim(const std::string& id, Block* held,
                                            std::shared_future<void>* pending) REQUIRES(mutex_);
  void finish(const std::string& id, const std::string& path, Block block) EXCLUDES(mutex_);
  void abandon(const std::string& id) EXCLUDES(mutex_);
  Block run_fetch(const std::string& id, const std::string& path,
                  const std::shared_ptr<std::promise<void>>& promise, const Fetch& fetch,
                  bool for_reader);

  const size_t capacity_;
  threads::Mutex mutex_;
  std::unordered_map<std::string, Entry> entries_ GUARDED_BY(mutex_);
  std::list<std::string> lru_ GUARDED_BY(mutex_);  // front = most recently used
  std::unordered_map<std::string, std::shared_future<void>> in_flight_ GUARDED_BY(mutex_);
  Stats stats_ GUARDED_BY(mutex_);
};

}  // namespace fs
