#pragma once

#include <cstdint>
#include <string>

#include "fs/memory_budget.h"

namespace fs {

// The bytes of one file being written: in memory while small (up to `memory_limit`, and while
// the shared `budget`, if any, has room), then in an unlinked file in the cache directory, so
// memory stays bounded whatever the file's size and however many files are written at once. Holds every byte until the
// upload is committed. Not thread-safe: the file's node lock guards it. Disk errors throw
// std::system_error.
class Staging {
 public:
  Staging(std::string spill_dir, size_t memory_limit, MemoryBudget* budget = nullptr);
  ~Staging();
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  int64_t size() const { return size_; }
  void write(const char* data, size_t len, int64_t offset);
  // Reads up to `len` bytes at `offset`; holes read as zeros. Returns the count read.
  size_t read(char* buf, size_t len, int64_t offset) const;
  void read(int64_t offset, size_t len, std::string& out) const;
  void truncate(int64_t size);
  bool spilled() const { return fd_ >= 0; }
  // A hint that the bytes before `offset` will rarely be read again (they have been uploaded):
  // they start going to disk now, and the memory of those that already reached it is given
  // back. They stay in the file, and read() still returns them. Why: a big upload no longer
  // fills the page cache with a second copy of itself, and writing into new page cache costs
  // several times what reusing pages just given back does (bench/RESULTS.md). The price: the bytes are written
  // to disk, which a file closed within the kernel's dirty expiry (30 s) could have skipped.
  void uncache_before(int64_t offset);

 private:
  void spill();
  // Grows the in-memory copy to hold `size` bytes, if the budget allows; false if not.
  bool grow_memory(size_t size);

  std::string spill_dir_;
  size_t memory_limit_;
  MemoryBudget* budget_;
  size_t charged_ = 0;  // of the budget, for memory_'s capacity
  std::string memory_;
  int fd_ = -1;
  int64_t size_ = 0;
  // uncache_before has sent the bytes below writeback_started_ to disk, and given back the
  // memory of those below uncached_.
  int64_t writeback_started_ = 0;
  int64_t uncached_ = 0;
};

}  // namespace fs
