#pragma once

#include <atomic>
#include <cstddef>

namespace fs {

// Bytes of memory that many owners draw on together: what staged writes of all files may hold
// in memory before they spill to cache_dir, so that 256 files written at once cannot take
// 256 times a file's share. Thread-safe; lock-free.
class MemoryBudget {
 public:
  explicit MemoryBudget(size_t limit) : limit_(limit) {}

  // Takes `bytes` if they fit; false (nothing taken) if they do not.
  bool try_take(size_t bytes) {
    size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ || used > limit_ - bytes) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void give_back(size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }
  size_t used() const { return used_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> used_{0};
};

}  // namespace fs
