#pragma once

#include <cstdint>

namespace fs {

// Decides, for one open file, which blocks to fetch ahead of a reader. A reader that keeps
// going forward gets a window that doubles from 2 blocks up to `max_blocks`; a reader that
// jumps around gets nothing beyond what it asked for. Not thread-safe: the owner locks it.
class Readahead {
 public:
  static constexpr int64_t kInitialBlocks = 2;

  Readahead(int64_t block_size, int64_t max_blocks) : block_(block_size), max_(max_blocks) {}

  struct Range {
    int64_t first = 0;  // block indices [first, end)
    int64_t end = 0;
  };
  // Records a read of [offset, offset + size) of a file of `file_size` bytes and returns the
  // blocks to prefetch: those of the window not asked for by an earlier read of this scan.
  Range on_read(int64_t offset, int64_t size, int64_t file_size);
  // Whether the reader jumps far, read after read: then it wants only what it asks for. Reads
  // near each other out of order (the kernel's readahead arrives so) do not count.
  bool random() const { return far_reads_ >= 2; }

 private:
  int64_t block_;
  int64_t max_;
  int64_t next_ = 0;    // where a sequential reader goes next
  int64_t window_ = 0;  // blocks
  int far_reads_ = 0;   // reads in a row far from where the reader was heading
  // Blocks below this were already prefetched in this scan. The kernel's requests arrive out of
  // order; a block the kernel was given whole has left dbfs-fuse's cache, and a later request
  // for an earlier block must not fetch it again.
  int64_t asked_end_ = 0;
};

}  // namespace fs
