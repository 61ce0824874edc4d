#pragma once

#include <cstdint>
#include <string>

#include "common/thread_annotations.h"
#include "dbfs/file_info.h"
#include "fs/block_bytes.h"
#include "fs/block_cache.h"
#include "fs/readahead.h"

namespace fs {

class MetadataCache;
class Staging;
class Storage;
class ThreadPool;

// One descriptor's way of reading, shared by the kernel's concurrent reads of it.
class ReadPattern {
 public:
  ReadPattern(int64_t block_size, int64_t max_blocks) : readahead_(block_size, max_blocks) {}
  struct Next {
    Readahead::Range ahead;  // blocks to prefetch
    bool random = false;     // the reader jumps around: it wants only what it asks for
  };
  Next on_read(int64_t offset, int64_t size, int64_t file_size) EXCLUDES(mutex_);

 private:
  threads::Mutex mutex_;
  Readahead readahead_ GUARDED_BY(mutex_);
};

// Reads of files whose content is the store's, by three policies (docs/design.md, "read"):
//  - random: a reader jumping around gets exactly the bytes it asked for, one call, nothing
//    cached for it (a whole block per 4 KiB read would cost 256 times the transfer);
//  - sequential: whole blocks through the block cache, with a readahead window that grows;
//  - hand-over: a read of one whole block of a file bigger than the cache, for the kernel's
//    page cache, takes the block out of the cache instead of copying it.
// Every fetch returns every byte it asked for, or throws (read_exactly).
class RemoteReader {
 public:
  static constexpr int64_t kBlock = 1 << 20;  // the block cache's block

  RemoteReader(Storage& storage, BlockCache& blocks, ThreadPool& pool, MetadataCache& metadata,
               size_t cache_bytes)
      : storage_(storage), blocks_(blocks), pool_(pool), metadata_(metadata),
        cache_bytes_(cache_bytes) {}

  // Up to `size` bytes at `offset` of `info`: fewer only at its end. `page_cached`: the reply
  // goes to the kernel's page cache (not O_DIRECT), so a whole block may be handed over.
  BlockBytes read(ReadPattern& pattern, const dbfs::FileInfo& info, size_t size, int64_t offset,
                  bool page_cached);
  // Copies the whole of `info` into `into`, through the block cache.
  void download(const dbfs::FileInfo& info, Staging& into);
  // Forgets the blocks of `path`: its content changed here.
  void forget(const std::string& path) { blocks_.forget(path); }

 private:
  BlockCache::Fetch fetch(const dbfs::FileInfo& info, int64_t index);
  static BlockCache::Key key(const dbfs::FileInfo& info, int64_t index) {
    return BlockCache::Key{info.path, info.file_size, info.modification_time, index};
  }

  Storage& storage_;
  BlockCache& blocks_;
  ThreadPool& pool_;
  MetadataCache& metadata_;
  size_t cache_bytes_;
};

}  // namespace fs
