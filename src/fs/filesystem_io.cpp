#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dbfs/api_error.h"
#include "fs/errno_guard.h"
#include "fs/file_node.h"
#include "fs/filesystem.h"
#include "fs/remote_read.h"
#include "fs/unsaved.h"
#include "fs/upload_names.h"
#include "fs/uploader.h"

// The file-content half of Filesystem: open, read, write, flush, release, truncate.

namespace fs {
namespace {

constexpr int64_t kBlock = dbfs::Api::kMaxBlock;

bool writable(int flags) { return (flags & O_ACCMODE) != O_RDONLY; }

OpenFile& file_of(Filesystem::Handle fh) { return *reinterpret_cast<OpenFile*>(fh); }

// Whether a close by `caller` publishes a descriptor `opener` opened: the opener's own close
// does, and so does any close once the opener has exited (nothing else would publish then).
bool closes_for_opener(pid_t opener, pid_t caller) {
  if (opener == 0 || caller == 0 || opener == caller) return true;
  return ::kill(opener, 0) != 0 && errno == ESRCH;
}

}  // namespace

int Filesystem::open(const std::string& path, int flags, Handle* fh, bool* keep_cache,
                     pid_t opener) {
  return errno_guard("open", path, [&] {
    if (options_.read_only && (writable(flags) || (flags & O_TRUNC))) return -EROFS;
    std::string file = dbfs_path(path);
    std::shared_ptr<FileNode> node;
    if (int rc = attach_file(file, &node); rc < 0) return rc;
    *keep_cache = false;
    try {
      threads::MutexLock lock(node->mutex);
      if ((flags & O_TRUNC) && writable(flags)) truncate_locked(*node, 0);
      if (!node->staging && node->on_server) *keep_cache = keep_kernel_cache(file, node->remote);
    } catch (...) {
      detach_node(node);
      throw;
    }
    *fh = new_handle(node, flags, opener);
    return 0;
  });
}

int Filesystem::attach_file(const std::string& remote_path, std::shared_ptr<FileNode>* node) {
  // A node holding content of its own (written, not necessarily uploaded yet) is the file.
  // Any other node only mirrors DBFS and may be a leftover of a descriptor closed a moment ago
  // (the kernel sends RELEASE after close(2) returns): the version is checked all the same,
  // as every open does, and the node takes it.
  for (;;) {
    if (auto existing = find_node(remote_path); existing && holds_own_content(*existing)) {
      if (reattach_node(remote_path, existing)) {
        *node = std::move(existing);
        return 0;
      }
      continue;  // released in between: its content is on DBFS now
    }
    auto info = lookup(remote_path);
    if (!info) return -ENOENT;
    if (info->is_dir) return -EISDIR;
    *node = attach_node(remote_path, &*info);
    return 0;
  }
}

Filesystem::Handle Filesystem::new_handle(std::shared_ptr<FileNode> node, int flags,
                                          pid_t opener) {
  auto file = std::make_unique<OpenFile>(std::move(node), flags, opener,
                                         Readahead(kBlock, options_.readahead_max_blocks));
  threads::MutexLock lock(nodes_mutex_);
  if (file->publishes) ++file->node->writers;
  auto* raw = file.get();
  open_files_.emplace(raw, std::move(file));
  return reinterpret_cast<Handle>(raw);
}

int Filesystem::create(const std::string& path, int flags, Handle* fh, pid_t opener) {
  return errno_guard("create", path, [&] {
    if (options_.read_only) return -EROFS;
    if (reserved(path)) return -EINVAL;
    std::string file = dbfs_path(path);
    auto node = attach_node(file, nullptr);
    try {
      threads::MutexLock lock(node->mutex);
      truncate_locked(*node, 0);
    } catch (...) {
      detach_node(node);
      throw;
    }
    *fh = new_handle(node, flags | O_CREAT, opener);
    return 0;
  });
}

BlockCache::Fetch Filesystem::fetch_block(const dbfs::FileInfo& info, int64_t index) {
  return [this, path = info.path, offset = index * kBlock,
          length = std::min(kBlock, info.file_size - index * kBlock)] {
    BlockBytes data(static_cast<size_t>(length));
    try {
      read_exactly(api_, path, offset, length, data.data());
    } catch (const dbfs::ApiError&) {
      metadata_.invalidate(path);  // gone or changed elsewhere: the next open looks again
      throw;
    }
    return data;
  };
}

int Filesystem::read_remote(OpenFile& file, const dbfs::FileInfo& info, char* buf, size_t size,
                            int64_t offset, BlockBytes* whole) {
  if (offset >= info.file_size || size == 0) return 0;
  int64_t end = std::min(info.file_size, offset + int64_t(size));
  int64_t first = offset / kBlock, last = (end - 1) / kBlock;
  auto key = [&](int64_t index) {
    return BlockCache::Key{info.path, info.file_size, info.modification_time, index};
  };
  Readahead::Range ahead;
  bool random;
  {
    threads::MutexLock lock(file.readahead_mutex);
    ahead = file.readahead.on_read(offset, int64_t(size), info.file_size);
    random = file.readahead.random();
  }
  if (random && !blocks_.contains(key(first)) && end - offset <= kBlock) {
    // A random reader gets exactly what it asked for, one call, and nothing is cached for it:
    // a whole block per 4 KiB read would cost 256 times the transfer.
    read_exactly(api_, info.path, offset, end - offset, buf);
    return int(end - offset);
  }
  // Start everything this read needs beyond its first block, and the readahead window, before
  // waiting for anything: the fetches then run side by side.
  for (int64_t b = first + 1; b <= last; ++b) blocks_.prefetch(key(b), fetch_block(info, b), readahead_pool_);
  for (int64_t b = ahead.first; b < ahead.end; ++b) {
    blocks_.prefetch(key(b), fetch_block(info, b), readahead_pool_);
  }
  int64_t copied = 0;
  for (int64_t b = first; b <= last; ++b) {
    auto block = blocks_.get(key(b), fetch_block(info, b));
    int64_t block_start = b * kBlock;
    int64_t from = std::max(offset, block_start) - block_start;
    int64_t to = std::min(end - block_start, int64_t(block->size()));
    if (to <= from) break;  // the file is shorter than it was said to be
    if (whole && first == last && from == 0 && to == int64_t(block->size()) &&
        info.file_size > int64_t(options_.block_cache_bytes)) {
      // This read is the whole block, and the kernel keeps the reply in its page cache. A file
      // that fits in the cache stays there too (it serves the page cache's holes when memory
      // runs short); of a bigger one the cache could keep only a part, so its blocks go to the
      // kernel as they are, not copied, unless another reader holds the block too.
      if (auto bytes = blocks_.take(key(b), block)) {
        *whole = std::move(*bytes);
        return int(whole->size());
      }
    }
    std::memcpy(buf + copied, block->data() + from, size_t(to - from));
    copied += to - from;
    if (to < std::min(end - block_start, kBlock)) break;
  }
  return int(copied);
}

int Filesystem::read(Handle fh, char* buf, size_t size, int64_t offset, BlockBytes* whole) {
  OpenFile& file = file_of(fh);
  dbfs::FileInfo info;
  {
    threads::MutexLock lock(file.node->mutex);
    if (file.node->staging) {
      try {
        return int(file.node->staging->read(buf, size, offset));
      } catch (const std::system_error& e) {
        spdlog::error("read {}: {}", file.node->path, e.what());
        return -EIO;
      }
    }
    info = file.node->remote;
  }
  return errno_guard("read", info.path,
                     [&] { return read_remote(file, info, buf, size, offset, whole); });
}

void Filesystem::load_staging(FileNode& node) {
  if (node.staging) return;
  auto staging = std::make_unique<Staging>(options_.cache_dir, options_.staging_memory_bytes,
                                                  &staging_memory_);
  if (node.on_server) {
    // Writing into an existing file: DBFS writes only whole files, so take all of it first, as
    // it is on DBFS now: another machine may have changed it since it was looked up, and the
    // bytes written here must land on what is there, not on a stale version padded with zeros.
    dbfs::FileInfo info;
    try {
      info = api_.get_status(node.remote.path);
      if (!node.unlinked) metadata_.put(info);
    } catch (const dbfs::ApiError& e) {
      if (!e.is_not_found()) throw;
      info = dbfs::FileInfo{node.remote.path, false, 0, now_ms()};  // removed elsewhere
    }
    if (info.is_dir) throw std::system_error(EISDIR, std::generic_category(), node.path);
    for (int64_t b = 0; b * kBlock < info.file_size; ++b) {
      auto block = blocks_.get({info.path, info.file_size, info.modification_time, b},
                               fetch_block(info, b));
      staging->write(block->data(), block->size(), b * kBlock);
    }
    staging->truncate(info.file_size);
    node.remote = info;
    node.mtime_ms = info.modification_time;
  }
  node.staging = std::move(staging);
  node.streamable = false;
  node.publish_shown();
}

void Filesystem::truncate_locked(FileNode& node, int64_t size) {
  if (size == 0) {
    // Fresh content: nothing to fetch, and a writer starting from here can stream.
    if (node.stream) node.stream->abandon();
    node.stream.reset();
    node.stream_frontier = 0;
    node.staging = std::make_unique<Staging>(options_.cache_dir, options_.staging_memory_bytes,
                                                  &staging_memory_);
    node.streamable = true;
    node.write_error = 0;
  } else {
    load_staging(node);
    node.staging->truncate(size);
    if (node.stream && size < node.stream_frontier) stop_streaming(node);
  }
  node.dirty = true;
  ++node.version;
  node.mtime_ms = now_ms();
  node.publish_shown();
}

void Filesystem::stop_streaming(FileNode& node, bool wait) {
  if (node.stream) {
    // Removes what went up of it.
    if (wait) {
      node.stream->abandon_and_wait();
    } else {
      node.stream->abandon();
    }
  }
  node.stream.reset();
  node.streamable = false;
}

void Filesystem::stream_blocks(FileNode& node) {
  if (!node.streamable || node.unlinked) return;
  int64_t size = node.staging->size();
  if (!node.stream) {
    // Files up to one block go up with a single put at close.
    if (size <= kBlock) return;
    node.stream = std::make_unique<UploadStream>(api_, node.path, &journal_);
    node.stream_frontier = 0;
  }
  std::string block;
  while (size - node.stream_frontier >= kBlock) {
    node.staging->read(node.stream_frontier, size_t(kBlock), block);
    if (!node.stream->push(std::move(block))) {
      node.stream.reset();
      node.streamable = false;
      return;
    }
    node.stream_frontier += kBlock;
  }
  node.staging->uncache_before(node.stream_frontier);
}

int Filesystem::write(Handle fh, const char* buf, size_t size, int64_t offset,
                      bool page_writeback) {
  OpenFile& file = file_of(fh);
  FileNode& node = *file.node;
  return errno_guard("write", node.snapshot().info.path, [&] {
    threads::MutexLock lock(node.mutex);
    load_staging(node);
    if ((file.flags & O_APPEND) && !page_writeback) offset = node.staging->size();
    write_staged(node, buf, size, offset);
    return int(size);
  });
}

void Filesystem::write_staged(FileNode& node, const char* buf, size_t size, int64_t offset) {
  // Rewriting bytes already sent: the stream cannot take that back.
  if (node.stream && offset < node.stream_frontier) stop_streaming(node);
  try {
    node.staging->write(buf, size, offset);
  } catch (const std::system_error& e) {
    node.write_error = e.code().value() ? e.code().value() : EIO;
    node.dirty = true;
    stop_streaming(node);
    throw;
  }
  node.dirty = true;
  ++node.version;
  node.mtime_ms = now_ms();
  node.publish_shown();
  stream_blocks(node);
}

int Filesystem::upload_locked(FileNode& node) {
  ++uploads_in_flight_;
  struct Done {
    std::atomic<uint64_t>& n;
    ~Done() { --n; }
  } done{uploads_in_flight_};
  node.published_version = node.version;  // whatever the outcome, its caller reports it
  if (node.write_error) {
    spdlog::error("{}: not uploaded, a write to it failed ({}); DBFS keeps what it had",
                  node.path, std::strerror(node.write_error));
    return -node.write_error;
  }
  try {
    upload_staged(node);
    ++uploads_;
    return 0;
  } catch (...) {
    ++uploads_failed_;
    return current_errno("upload", node.path);
  }
}

void Filesystem::upload_staged(FileNode& node) {
  int64_t size = node.staging->size();
  std::optional<dbfs::FileInfo> info;
  if (node.stream) {
    std::string tail;
    node.staging->read(node.stream_frontier, size_t(size - node.stream_frontier), tail);
    info = node.stream->finish(std::move(tail), node.path, size);
    node.stream.reset();
    node.streamable = false;
  }
  if (!info) {
    // The uploader reads ahead on a thread of its own while this one, holding the node's lock,
    // waits for it: the staging cannot change meanwhile.
    const Staging* staging = node.staging.get();
    info = Uploader(api_, options_.upload_attempts, &journal_)
               .upload(node.path, size, [staging](int64_t off, size_t len, std::string& out) {
                 staging->read(off, len, out);
               });
  }
  node.dirty = false;
  node.on_server = true;
  node.remote = *info;
  node.mtime_ms = info->modification_time;
  node.publish_shown();
  metadata_.put(*info);
  blocks_.forget(node.path);
}

int Filesystem::flush(Handle fh, pid_t caller) {
  OpenFile& file = file_of(fh);
  if (!file.publishes || !closes_for_opener(file.opener, caller)) return 0;
  FileNode& node = *file.node;
  threads::MutexLock lock(node.mutex);
  if (!node.dirty || node.unlinked) return 0;
  return upload_locked(node);
}

int Filesystem::fsync(Handle fh) {
  FileNode& node = *file_of(fh).node;
  threads::MutexLock lock(node.mutex);
  if (!node.dirty || node.unlinked) return 0;
  return upload_locked(node);
}

int Filesystem::release(Handle fh) {
  OpenFile* file = &file_of(fh);
  auto node = file->node;
  bool last_writer = false;
  {
    threads::MutexLock lock(nodes_mutex_);
    if (file->publishes) last_writer = --node->writers == 0;
    open_files_.erase(file);
  }
  if (last_writer) {
    threads::MutexLock lock(node->mutex);
    publish_unreported(*node);
  }
  detach_node(node);
  return 0;
}

void Filesystem::publish_unreported(FileNode& node) {
  if (!node.dirty || node.unlinked || node.write_error || node.version == node.published_version) {
    return;
  }
  if (upload_locked(node) == 0) {
    spdlog::info("{}: uploaded at release: changes no close had published (writes of a process "
                 "that inherited the descriptor, or mmap pages written back after close)",
                 node.path);
    return;
  }
  std::string kept = keep_unsaved(options_.cache_dir, node.path, *node.staging);
  spdlog::error("{}: changes made after its last close could not be uploaded; {}", node.path,
                kept.empty() ? "they are lost" : "they are kept in " + kept);
}

int Filesystem::truncate(Handle fh, int64_t size) {
  FileNode& node = *file_of(fh).node;
  return errno_guard("truncate", node.snapshot().info.path, [&] {
    threads::MutexLock lock(node.mutex);
    truncate_locked(node, size);
    return 0;
  });
}

int Filesystem::truncate(const std::string& path, int64_t size) {
  return errno_guard("truncate", path, [&] {
    if (options_.read_only) return -EROFS;
    std::string file = dbfs_path(path);
    if (upload_names::is_open_alias_path(file)) {
      auto node = find_alias(file);
      if (!node) return -ENOENT;
      threads::MutexLock lock(node->mutex);
      truncate_locked(*node, size);
      return 0;
    }
    std::shared_ptr<FileNode> node;
    if (int rc = attach_file(file, &node); rc < 0) return rc;
    int rc;
    try {
      threads::MutexLock lock(node->mutex);
      truncate_locked(*node, size);
      rc = upload_locked(*node);
    } catch (...) {
      detach_node(node);
      throw;
    }
    detach_node(node);
    return rc;
  });
}

}  // namespace fs
