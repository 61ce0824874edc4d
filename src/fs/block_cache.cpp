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

std::shared_ptr<std::promise<BlockCache::Block>> BlockCache::claim(
    const std::string& id, Block* held, std::shared_future<Block>* pending) {
  if (auto it = entries_.find(id); it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    ++stats_.hits;
    *held = it->second.block;
    return nullptr;
  }
  if (auto it = in_flight_.find(id); it != in_flight_.end()) {
    ++stats_.hits;
    *pending = it->second;
    return nullptr;
  }
  ++stats_.misses;
  auto promise = std::make_shared<std::promise<Block>>();
  in_flight_.emplace(id, promise->get_future().share());
  return promise;
}

BlockCache::Block BlockCache::run_fetch(const std::string& id, const std::string& path,
                                        const std::shared_ptr<std::promise<Block>>& promise,
                                        const Fetch& fetch) {
  Block block;
  try {
    block = std::make_shared<const std::string>(fetch());
  } catch (...) {
    abandon(id);
    promise->set_exception(std::current_exception());
    throw;
  }
  finish(id, path, block);
  promise->set_value(block);
  return block;
}

BlockCache::Block BlockCache::get(const Key& key, const Fetch& fetch) {
  std::string block_id = id(key);
  Block held;
  std::shared_future<Block> pending;
  std::shared_ptr<std::promise<Block>> promise;
  {
    MutexLock lock(mutex_);
    promise = claim(block_id, &held, &pending);
  }
  if (held) return held;
  if (pending.valid()) return pending.get();
  return run_fetch(block_id, key.path, promise, fetch);
}

void BlockCache::prefetch(const Key& key, Fetch fetch, ThreadPool& pool) {
  std::string block_id = id(key);
  Block held;
  std::shared_future<Block> pending;
  std::shared_ptr<std::promise<Block>> promise;
  {
    MutexLock lock(mutex_);
    promise = claim(block_id, &held, &pending);
    if (!promise) --stats_.hits;  // readahead finding its block is not a reader's hit
  }
  if (!promise) return;
  pool.submit([this, block_id, path = key.path, promise, fetch = std::move(fetch)] {
    try {
      run_fetch(block_id, path, promise, fetch);
    } catch (...) {
      // The waiters, if any, got the error through the promise; a later read fetches again.
    }
  });
}

bool BlockCache::contains(const Key& key) {
  MutexLock lock(mutex_);
  return entries_.count(id(key)) > 0;
}

void BlockCache::finish(const std::string& id, const std::string& path, Block block) {
  MutexLock lock(mutex_);
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
  MutexLock lock(mutex_);
  in_flight_.erase(id);
}

void BlockCache::forget(const std::string& path) {
  MutexLock lock(mutex_);
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
  MutexLock lock(mutex_);
  return stats_;
}

}  // namespace fs
