#include "fs/block_cache.h"

#include "fs/thread_pool.h"

namespace fs {

BlockCache::BlockCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

std::string BlockCache::id(const Key& key) {
  std::string id = key.path;
  id += '\0';
  id += std::to_string(key.size) + ':' + std::to_string(key.mtime) + ':' + std::to_string(key.index);
  return id;
}

std::shared_ptr<std::promise<void>> BlockCache::claim(const std::string& id, Block* held,
                                                      std::shared_future<void>* pending) {
  if (auto it = entries_.find(id); it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    ++stats_.hits;
    *held = it->second.block;
    return nullptr;
  }
  if (auto it = in_flight_.find(id); it != in_flight_.end()) {
    *pending = it->second;  // the hit is counted when the waiter finds the block held
    return nullptr;
  }
  ++stats_.misses;
  auto promise = std::make_shared<std::promise<void>>();
  in_flight_.emplace(id, promise->get_future().share());
  return promise;
}

BlockCache::Block BlockCache::run_fetch(const std::string& id, const std::string& path,
                                        const std::shared_ptr<std::promise<void>>& promise,
                                        const Fetch& fetch, bool for_reader) {
  Block block;
  try {
    block = std::make_shared<BlockBytes>(fetch());  // not const: take() may move it out
  } catch (...) {
    abandon(id);
    promise->set_exception(std::current_exception());
    throw;
  }
  // Readahead keeps no reference of its own: a reader woken by set_value must find the block
  // held by the cache alone, or take() could not hand it over.
  finish(id, path, for_reader ? block : std::move(block));
  promise->set_value();
  return block;
}

BlockCache::Block BlockCache::get(const Key& key, const Fetch& fetch) {
  std::string block_id = id(key);
  for (;;) {
    Block held;
    std::shared_future<void> pending;
    std::shared_ptr<std::promise<void>> promise;
    {
      threads::MutexLock lock(mutex_);
      promise = claim(block_id, &held, &pending);
    }
    if (held) return held;
    if (promise) return run_fetch(block_id, key.path, promise, fetch, true);
    // Another fetch of it is in flight: wait, then take it from the cache (the promise carries
    // no block, so that take() can tell who holds one). Its error, if it failed, is thrown here;
    // a block evicted before this reader got to it is fetched again.
    pending.get();
  }
}

void BlockCache::prefetch(const Key& key, Fetch fetch, ThreadPool& pool) {
  std::string block_id = id(key);
  Block held;
  std::shared_future<void> pending;
  std::shared_ptr<std::promise<void>> promise;
  {
    threads::MutexLock lock(mutex_);
    promise = claim(block_id, &held, &pending);
    if (held) --stats_.hits;  // readahead finding its block is not a reader's hit
  }
  if (!promise) return;
  pool.submit([this, block_id, path = key.path, promise, fetch = std::move(fetch)] {
    try {
      run_fetch(block_id, path, promise, fetch, false);
    } catch (...) {
      // The waiters, if any, got the error through the promise; a later read fetches again.
    }
  });
}

bool BlockCache::contains(const Key& key) {
  threads::MutexLock lock(mutex_);
  std::string block_id = id(key);
  return entries_.count(block_id) > 0 || in_flight_.count(block_id) > 0;
}

std::optional<BlockBytes> BlockCache::take(const Key& key, Block& mine) {
  {
    threads::MutexLock lock(mutex_);
    auto it = entries_.find(id(key));
    // Every reference is copied from the cache's (under this lock) or the caller's: a count of 2
    // means no one else has it, and no one else can get it once it leaves the cache.
    if (it == entries_.end() || it->second.block != mine || mine.use_count() != 2) {
      return std::nullopt;
    }
    stats_.bytes -= mine->size();
    lru_.erase(it->second.lru);
    // Dropping the cache's reference is an acquire-release decrement of the count that every
    // earlier holder decremented when it let go: what they did with the bytes happens before
    // what the caller does next.
    entries_.erase(it);
    ++stats_.taken;
  }
  BlockBytes bytes = std::move(const_cast<BlockBytes&>(*mine));
  mine.reset();
  return bytes;
}

void BlockCache::finish(const std::string& id, const std::string& path, Block block) {
  threads::MutexLock lock(mutex_);
  in_flight_.erase(id);
  lru_.push_front(id);
  stats_.bytes += block->size();
  // Blocks still being fetched need room too: each about this block's size, plus its answer
  // while it is decoded (base64 in JSON, 4/3 of it). Counting them keeps the memory of cache and
  // readahead together within the budget, not budget + window.
  const size_t pending = in_flight_.size() * block->size() * 7 / 3;
  entries_[id] = Entry{path, std::move(block), lru_.begin()};
  while (stats_.bytes + pending > capacity_ && lru_.size() > 1) {
    auto victim = entries_.find(lru_.back());
    stats_.bytes -= victim->second.block->size();
    entries_.erase(victim);
    lru_.pop_back();
  }
}

void BlockCache::abandon(const std::string& id) {
  threads::MutexLock lock(mutex_);
  in_flight_.erase(id);
}

void BlockCache::forget(const std::string& path) {
  threads::MutexLock lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.path == path) {
      stats_.bytes -= it->second.block->size();
      lru_.erase(it->second.lru);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

BlockCache::Stats BlockCache::stats() {
  threads::MutexLock lock(mutex_);
  return stats_;
}

}  // namespace fs
