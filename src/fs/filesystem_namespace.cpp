// Filesystem's namespace operations: mkdir, rmdir, unlink, rename.

#include <spdlog/spdlog.h>

#include <cerrno>

#include "dbfs/api_error.h"
#include "dbfs/path.h"
#include "fs/errno_guard.h"
#include "fs/filesystem.h"
#include "fs/replace.h"
#include "fs/upload_names.h"
#include "fs/uploader.h"

namespace fs {

bool Filesystem::reserved(const std::string& path) {
  if (!upload_names::is_hidden_path(path) && !upload_names::is_open_alias_path(path)) return false;
  spdlog::warn("{}: refused: names like {}<16 hex digits> and {}<16 hex digits> belong to "
               "dbfs-fuse's hidden files, and {}<16 hex digits> to libfuse's", path,
               upload_names::kUploadPrefix, upload_names::kAsidePrefix,
               upload_names::kOpenAliasPrefix);
  return true;
}

int Filesystem::mkdir(const std::string& path) {
  return errno_guard("mkdir", path, [&] {
    if (options_.read_only) return -EROFS;
    if (reserved(path)) return -EINVAL;
    std::string dir = dbfs_path(path);
    api_.mkdirs(dir);
    metadata_.put(dbfs::FileInfo{dir, true, 0, now_ms()});
    // The kernel asks only after a lookup found nothing, so the new directory is empty.
    metadata_.put_listing(dir, {});
    return 0;
  });
}

int Filesystem::rmdir(const std::string& path) {
  return errno_guard("rmdir", path, [&] {
    if (options_.read_only) return -EROFS;
    std::string dir = dbfs_path(path);
    auto info = lookup(dir);
    if (!info) return -ENOENT;
    if (!info->is_dir) return -ENOTDIR;
    // The non-recursive delete refuses a non-empty directory (ENOTEMPTY through ApiError).
    api_.remove(dir, false);
    metadata_.put_missing(dir);
    return 0;
  });
}

void Filesystem::drop_file(const std::string& remote_path, std::optional<std::string> aside) {
  // Descriptors open on a file whose content only DBFS holds keep reading it, under a hidden
  // name, until the last of them closes (as a local disk keeps an unlinked file's blocks).
  if (open_mirror(remote_path)) {
    if (aside) {
      journal_.retire(*aside);
    } else {
      aside = retire_file(api_, &journal_, remote_path);
    }
    forget_node(remote_path, *aside);
    return;
  }
  if (aside) {
    discard_hidden(api_, &journal_, *aside);
  } else {
    api_.remove(remote_path, false);
  }
  forget_node(remote_path);
}

int Filesystem::unlink(const std::string& path) {
  return errno_guard("unlink", path, [&] {
    if (options_.read_only) return -EROFS;
    std::string file = dbfs_path(path);
    if (upload_names::is_open_alias_path(file)) {
      threads::MutexLock lock(nodes_mutex_);
      return aliases_.erase(file) ? 0 : -ENOENT;
    }
    drop_file(file, std::nullopt);
    metadata_.put_missing(file);
    blocks_.forget(file);
    return 0;
  });
}

int Filesystem::hide(const std::string& path, const std::string& alias) {
  return errno_guard("unlink", path, [&] {
    if (options_.read_only) return -EROFS;
    std::string file = dbfs_path(path);
    auto node = find_node(file);
    drop_file(file, std::nullopt);
    metadata_.put_missing(file);
    blocks_.forget(file);
    if (node) {
      threads::MutexLock lock(nodes_mutex_);
      aliases_[dbfs_path(alias)] = std::move(node);
    }
    return 0;
  });
}

int Filesystem::rename(const std::string& from, const std::string& to, unsigned flags) {
  return errno_guard("rename", from, [&] {
    if (flags & kExchange) return -EINVAL;
    if (upload_names::is_open_alias_path(to) && !flags) return hide(from, to);
    if (options_.read_only) return -EROFS;
    if (reserved(to) || upload_names::is_open_alias_path(from)) return -EINVAL;
    std::string src = dbfs_path(from), dst = dbfs_path(to);
    if (src == dst) return 0;
    threads::MutexLock one_at_a_time(rename_mutex_);
    auto node = find_node(src);
    bool src_on_server = true;
    if (node) {
      threads::MutexLock lock(node->mutex);
      src_on_server = node->on_server;
    }
    auto src_info = src_on_server ? lookup(src) : current(src);
    if (!src_info) return -ENOENT;
    auto dst_info = current(dst);
    if (dst_info) {
      if (flags & kNoReplace) return -EEXIST;
      if (dst_info->is_dir && !src_info->is_dir) return -EISDIR;
      if (!dst_info->is_dir && src_info->is_dir) return -ENOTDIR;
      if (dst_info->is_dir) {
        api_.remove(dst, false);  // replacing a directory: it must be empty (else ENOTEMPTY)
        metadata_.put_missing(dst);
      }
    }
    // DBFS moves the file, or the whole directory with everything being written below it.
    std::optional<std::string> aside;
    move_holding(nodes_under(src), src, dst, [&] {
      if (src_on_server) aside = move_replacing(api_, &journal_, src, dst);
    });
    if (src_on_server) {
      if (aside) {
        drop_file(dst, aside);
      } else {
        forget_node(dst);
      }
    } else if (dst_info && !dst_info->is_dir) {
      // The file moved here is only local until it is uploaded: the old one leaves DBFS now
      // (kept for its descriptors, if open), or a later rename of the new one would leave it
      // behind under this name.
      drop_file(dst, std::nullopt);
    }
    rekey_nodes(src, dst);
    blocks_.forget(src);
    blocks_.forget(dst);
    // Both parents' listings stay, updated: rsync renames every file it writes.
    metadata_.put_missing(src);
    src_info->path = dst;
    if (src_on_server) {
      metadata_.replace(*src_info);
    } else {
      metadata_.invalidate(dst);
    }
    return 0;
  });
}

}  // namespace fs
