#include <fcntl.h>
#include <signal.h>

#include <cerrno>

#include "fs/errno_guard.h"
#include "fs/filesystem.h"
#include "fs/upload_names.h"

// Filesystem's operations on file contents: open, create, read, write, flush, fsync, release,
// truncate. Each finds the node and hands the work to it (file_node.cpp) or to the reader of
// remote content (remote_reader.cpp).

namespace fs {
namespace {

bool writable(int flags) { return (flags & O_ACCMODE) != O_RDONLY; }

// Whether a close by `caller` publishes a descriptor `opener` opened: the opener's own close
// does, and so does any close once the opener has exited (nothing else would publish then).
bool closes_for_opener(pid_t opener, pid_t caller) {
  if (opener == 0 || caller == 0 || opener == caller) return true;
  return ::kill(opener, 0) != 0 && errno == ESRCH;
}

}  // namespace

int Filesystem::attach_file(const std::string& path, Attachment* node) {
  auto held = path_locks_.hold(path);
  // A node holding content of its own (written, not necessarily uploaded yet) is the file.
  // Any other node only mirrors the store and may be a leftover of a descriptor closed a moment
  // ago (the kernel sends RELEASE after close(2) returns): the version is checked all the same,
  // as every open does, and the node takes it.
  for (;;) {
    if (auto existing = nodes_.find(path); existing && existing->snapshot().local) {
      if ((*node = nodes_.attach_if_current(path, existing))) return 0;
      continue;  // released in between: its content is on the store now
    }
    auto info = attributes_.lookup(path);
    if (!info) return -ENOENT;
    if (info->is_dir) return -EISDIR;
    *node = nodes_.attach(path, &*info);
    return 0;
  }
}

int Filesystem::open(const std::string& path, int flags, Handle* fh, bool* keep_cache,
                     pid_t opener) {
  return errno_guard("open", path, [&] {
    if (options_.read_only && (writable(flags) || (flags & O_TRUNC))) return -EROFS;
    Attachment node;
    if (int rc = attach_file(store_path(path), &node); rc < 0) return rc;
    {
      threads::MutexLock lock(node->mutex);
      if ((flags & O_TRUNC) && writable(flags)) node->truncate(0, services_);
      *keep_cache = !node->staged() && node->on_server() &&
                    kernel_cache_.keep(node->path(), node->remote());
    }
    *fh = nodes_.open(std::move(node), flags, opener, options_.readahead_max_blocks);
    return 0;
  });
}

int Filesystem::create(const std::string& path, int flags, Handle* fh, pid_t opener) {
  return errno_guard("create", path, [&] {
    if (options_.read_only) return -EROFS;
    if (reserved(path)) return -EINVAL;
    Attachment node;
    {
      auto held = path_locks_.hold(store_path(path));
      node = nodes_.attach(store_path(path), nullptr);
    }
    {
      threads::MutexLock lock(node->mutex);
      node->truncate(0, services_);
    }
    *fh = nodes_.open(std::move(node), flags | O_CREAT, opener, options_.readahead_max_blocks);
    return 0;
  });
}

Filesystem::ReadResult Filesystem::read(Handle fh, size_t size, int64_t offset, bool page_cached) {
  Descriptor& file = NodeTable::descriptor(fh);
  FileNode& node = *file.node;
  ReadResult result;
  result.error = errno_guard("read", node.snapshot().info.path, [&] {
    dbfs::FileInfo remote;
    {
      threads::MutexLock lock(node.mutex);
      if (node.staged()) {
        result.bytes = BlockBytes(size);
        size_t staged = 0;
        node.read_staged(result.bytes.data(), size, offset, &staged);
        result.bytes.set_size(staged);
        return 0;
      }
      remote = node.remote();
    }
    result.bytes = reader_.read(file.pattern, remote, size, offset, page_cached);
    return 0;
  });
  return result;
}

int Filesystem::write(Handle fh, const char* buf, size_t size, int64_t offset,
                      bool page_writeback) {
  Descriptor& file = NodeTable::descriptor(fh);
  FileNode& node = *file.node;
  return errno_guard("write", node.snapshot().info.path, [&] {
    threads::MutexLock lock(node.mutex);
    node.write(buf, size, offset, (file.flags & O_APPEND) && !page_writeback, services_);
    return int(size);
  });
}

int Filesystem::flush(Handle fh, pid_t caller) {
  Descriptor& file = NodeTable::descriptor(fh);
  if (!file.publishes || !closes_for_opener(file.opener, caller)) return 0;
  threads::MutexLock lock(file.node->mutex);
  return file.node->needs_upload() ? file.node->publish(services_) : 0;
}

int Filesystem::fsync(Handle fh) {
  FileNode& node = *NodeTable::descriptor(fh).node;
  threads::MutexLock lock(node.mutex);
  return node.needs_upload() ? node.publish(services_) : 0;
}

int Filesystem::release(Handle fh) {
  bool last_writer = false;
  std::unique_ptr<Descriptor> file = nodes_.close(fh, &last_writer);
  if (!file) return -EBADF;
  if (last_writer) {
    threads::MutexLock lock(file->node->mutex);
    file->node->publish_unreported(services_);
  }
  return 0;  // `file` detaches from its node here, holding no lock
}

int Filesystem::truncate(Handle fh, int64_t size) {
  FileNode& node = *NodeTable::descriptor(fh).node;
  return errno_guard("truncate", node.snapshot().info.path, [&] {
    threads::MutexLock lock(node.mutex);
    node.truncate(size, services_);
    return 0;
  });
}

int Filesystem::truncate(const std::string& path, int64_t size) {
  return errno_guard("truncate", path, [&] {
    if (options_.read_only) return -EROFS;
    std::string file = store_path(path);
    if (upload_names::is_open_alias_path(file)) {
      auto node = nodes_.find_alias(file);
      if (!node) return -ENOENT;
      threads::MutexLock lock(node->mutex);
      node->truncate(size, services_);
      return 0;
    }
    Attachment node;
    if (int rc = attach_file(file, &node); rc < 0) return rc;
    threads::MutexLock lock(node->mutex);
    if (node->unlinked()) return -ENOENT;  // removed since it was found: the unlink came first
    node->truncate(size, services_);
    return node->publish(services_);
  });
}

}  // namespace fs
