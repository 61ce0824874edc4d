#include "fs/readahead.h"

#include <algorithm>

namespace fs {

Readahead::Range Readahead::on_read(int64_t offset, int64_t size, int64_t file_size) {
  // The kernel splits and reorders a sequential reader's requests across threads, so "in
  // sequence" means near where the reader was heading, not exactly there.
  int64_t slack = block_ * std::max<int64_t>(window_, 1);
  bool sequential = offset >= next_ - block_ && offset <= next_ + slack;
  if (sequential) {
    window_ = window_ == 0 ? std::min(kInitialBlocks, max_) : std::min(window_ * 2, max_);
  } else {
    window_ = 0;
    asked_end_ = 0;
  }
  int64_t reach = block_ * std::max<int64_t>(2 * window_, 4);
  bool near = offset >= next_ - reach && offset <= next_ + reach;
  far_reads_ = near ? 0 : far_reads_ + 1;
  next_ = std::max(sequential ? next_ : 0, offset + size);
  if (window_ == 0 || file_size <= 0) return {};
  int64_t last_block = (file_size - 1) / block_;
  int64_t first = (offset + size - 1) / block_ + 1;
  int64_t end = std::min(first + window_, last_block + 1);
  first = std::max(first, asked_end_);
  if (first >= end) return {};
  asked_end_ = end;
  return {first, end};
}

}  // namespace fs
