#include "fs/remote_reader.h"

#include <algorithm>
#include <cstring>

#include "dbfs/api_error.h"
#include "fs/metadata_cache.h"
#include "fs/remote_read.h"
#include "fs/staging.h"
#include "fs/thread_pool.h"

namespace fs {

ReadPattern::Next ReadPattern::on_read(int64_t offset, int64_t size, int64_t file_size) {
  threads::MutexLock lock(mutex_);
  Next next;
  next.ahead = readahead_.on_read(offset, size, file_size);
  next.random = readahead_.random();
  return next;
}

BlockCache::Fetch RemoteReader::fetch(const dbfs::FileInfo& info, int64_t index) {
  return [this, path = info.path, offset = index * kBlock,
          length = std::min(kBlock, info.file_size - index * kBlock)] {
    BlockBytes data(static_cast<size_t>(length));
    try {
      read_exactly(storage_, path, offset, length, data.data());
    } catch (const dbfs::ApiError&) {
      metadata_.invalidate(path);  // gone or changed elsewhere: the next open looks again
      throw;
    }
    return data;
  };
}

BlockBytes RemoteReader::read(ReadPattern& pattern, const dbfs::FileInfo& info, size_t size,
                              int64_t offset, bool page_cached) {
  if (offset >= info.file_size || size == 0) return BlockBytes();
  int64_t end = std::min(info.file_size, offset + int64_t(size));
  int64_t first = offset / kBlock, last = (end - 1) / kBlock;
  ReadPattern::Next next = pattern.on_read(offset, int64_t(size), info.file_size);
  if (next.random && !blocks_.contains(key(info, first)) && end - offset <= kBlock) {
    BlockBytes bytes(size_t(end - offset));
    read_exactly(storage_, info.path, offset, end - offset, bytes.data());
    return bytes;
  }
  // Everything this read needs beyond its first block, and the readahead window past it, starts
  // before anything is waited for: the fetches then run side by side. The first block is
  // fetched by this thread, so that no pool thread still holds it when it could be handed over.
  for (int64_t b = first + 1; b <= last; ++b) blocks_.prefetch(key(info, b), fetch(info, b), pool_);
  for (int64_t b = std::max(next.ahead.first, last + 1); b < next.ahead.end; ++b) {
    blocks_.prefetch(key(info, b), fetch(info, b), pool_);
  }
  BlockBytes reply(size_t(end - offset));
  int64_t copied = 0;
  for (int64_t b = first; b <= last; ++b) {
    auto block = blocks_.get(key(info, b), fetch(info, b));
    int64_t block_start = b * kBlock;
    int64_t from = std::max(offset, block_start) - block_start;
    int64_t to = std::min(end - block_start, int64_t(block->size()));
    if (to <= from) break;  // the file is shorter than it was said to be
    // A file that fits in the cache stays there (it serves the page cache's holes when memory
    // runs short); of a bigger one the cache could keep only a part, so a block the kernel
    // keeps whole goes to it as it is, unless another reader holds the block too.
    if (page_cached && first == last && from == 0 && to == int64_t(block->size()) &&
        info.file_size > int64_t(cache_bytes_)) {
      if (auto bytes = blocks_.take(key(info, b), block)) return std::move(*bytes);
    }
    std::memcpy(reply.data() + copied, block->data() + from, size_t(to - from));
    copied += to - from;
    if (to < std::min(end - block_start, kBlock)) break;
  }
  reply.set_size(size_t(copied));
  return reply;
}

void RemoteReader::download(const dbfs::FileInfo& info, Staging& into) {
  for (int64_t b = 0; b * kBlock < info.file_size; ++b) {
    auto block = blocks_.get(key(info, b), fetch(info, b));
    into.write(block->data(), block->size(), b * kBlock);
  }
  into.truncate(info.file_size);
}

}  // namespace fs
