// Filesystem's namespace operations: mkdir, rmdir, unlink, rename.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>
#include <utility>

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
    std::string dir = store_path(path);
    storage_.mkdir(dir);
    metadata_.put(dbfs::FileInfo{dir, true, 0, now_ms()});
    // The kernel asks only after a lookup found nothing, so the new directory is empty.
    metadata_.put_listing(dir, {});
    return 0;
  });
}

int Filesystem::rmdir(const std::string& path) {
  return errno_guard("rmdir", path, [&] {
    if (options_.read_only) return -EROFS;
    std::string dir = store_path(path);
    auto info = attributes_.lookup(dir);
    if (!info) return -ENOENT;
    if (!info->is_dir) return -ENOTDIR;
    // The non-recursive delete refuses a non-empty directory (ENOTEMPTY through ApiError).
    storage_.remove(dir);
    metadata_.put_missing(dir);
    return 0;
  });
}

void Filesystem::drop_file(const std::string& path, std::optional<std::string> aside) {
  bool open = false;
  Attachment node = nodes_.attach_existing(path, &open);
  if (!node) {
    if (aside) {
      discard_hidden(storage_, &journal_, *aside);
    } else {
      storage_.remove(path);
    }
    return;
  }
  // Under the node's lock, an upload of it in flight lands first, and is then removed with it.
  threads::MutexLock lock(node->mutex);
  if (open && !node->staged() && node->on_server()) {
    // Descriptors open on a file whose content only the store holds keep reading it, under a
    // hidden name, until the last of them closes (as a local disk keeps an unlinked file's
    // blocks).
    if (aside) {
      journal_.retire(*aside);
    } else {
      aside = retire_file(storage_, &journal_, path);
    }
    nodes_.forget(path);
    node->unlink(*aside);
    return;
  }
  if (aside) {
    discard_hidden(storage_, &journal_, *aside);
  } else {
    storage_.remove(path);
  }
  nodes_.forget(path);
  node->unlink("");
}

void Filesystem::forget_node(const std::string& path, const std::string& retired_path) {
  if (auto node = nodes_.forget(path)) {
    threads::MutexLock lock(node->mutex);
    node->unlink(retired_path);
  }
}

int Filesystem::unlink(const std::string& path) {
  return errno_guard("unlink", path, [&] {
    if (options_.read_only) return -EROFS;
    std::string file = store_path(path);
    if (upload_names::is_open_alias_path(file)) return nodes_.remove_alias(file) ? 0 : -ENOENT;
    auto held = path_locks_.hold(file);
    drop_file(file, std::nullopt);
    metadata_.put_missing(file);
    reader_.forget(file);
    return 0;
  });
}

int Filesystem::hide(const std::string& path, const std::string& alias) {
  return errno_guard("unlink", path, [&] {
    if (options_.read_only) return -EROFS;
    std::string file = store_path(path);
    auto held = path_locks_.hold(file);
    auto node = nodes_.find(file);
    drop_file(file, std::nullopt);
    metadata_.put_missing(file);
    reader_.forget(file);
    if (node) nodes_.add_alias(store_path(alias), std::move(node));
    return 0;
  });
}

namespace {

// libfuse renames an open file that a rename is about to replace to a hidden alias first (a
// hide), then makes that rename, on the same thread at once. If the rename fails, the replaced
// file must come back. An unlink of an open file is a hide too, with no rename after it: the
// age bound keeps a later, unrelated rename from bringing that one back.
struct RecentHide {
  std::string path, alias;
  std::chrono::steady_clock::time_point at;
};
thread_local std::optional<RecentHide> recent_hide;
constexpr std::chrono::seconds kHideThenRename{1};

}  // namespace

int Filesystem::rename(const std::string& from, const std::string& to, unsigned flags) {
  if (upload_names::is_open_alias_path(to) && !flags) {
    int rc = hide(from, to);
    if (rc == 0) {
      recent_hide = RecentHide{store_path(from), store_path(to), std::chrono::steady_clock::now()};
    }
    return rc;
  }
  auto hidden = std::exchange(recent_hide, std::nullopt);
  int rc = move_path(from, to, flags);
  if (rc < 0 && hidden && hidden->path == store_path(to) &&
      std::chrono::steady_clock::now() - hidden->at < kHideThenRename) {
    unhide(hidden->path, hidden->alias);
  }
  return rc;
}

void Filesystem::unhide(const std::string& path, const std::string& alias) {
  auto held = path_locks_.hold(path);
  auto node = nodes_.find_alias(alias);
  if (!node) return;
  threads::MutexLock lock(node->mutex);
  if (!node->unlinked() || !nodes_.insert(path, node)) return;
  try {
    node->relink(storage_, journal_);
    metadata_.invalidate(path);
    spdlog::warn("rename over {} failed: the file it was to replace is back", path);
  } catch (...) {
    nodes_.forget(path);
    current_errno("rename", path);
  }
}

int Filesystem::move_path(const std::string& from, const std::string& to, unsigned flags) {
  return errno_guard("rename", from, [&] {
    if (flags & kExchange) return -EINVAL;
    if (options_.read_only) return -EROFS;
    if (reserved(to) || upload_names::is_open_alias_path(from)) return -EINVAL;
    std::string src = store_path(from), dst = store_path(to);
    if (src == dst) return 0;
    threads::MutexLock one_at_a_time(rename_mutex_);
    auto held = path_locks_.hold({src, dst});
    bool on_server = true;
    if (auto node = nodes_.find(src)) {
      threads::MutexLock lock(node->mutex);
      on_server = node->on_server();
    }
    auto src_info = on_server ? attributes_.lookup(src) : current(src);
    if (!src_info) return -ENOENT;
    auto dst_info = current(dst);
    if (int rc = check_replace(*src_info, dst_info, dst, flags); rc < 0) return rc;
    move_file_or_directory(src, dst, &on_server, dst_info);
    // Both parents' listings stay, updated: rsync renames every file it writes.
    metadata_.put_missing(src);
    src_info->path = dst;
    if (on_server) {
      metadata_.replace(*src_info);
    } else {
      metadata_.invalidate(dst);
    }
    return 0;
  });
}

int Filesystem::check_replace(const dbfs::FileInfo& src, const std::optional<dbfs::FileInfo>& dst,
                              const std::string& dst_path, unsigned flags) {
  if (!dst) return 0;
  if (flags & kNoReplace) return -EEXIST;
  if (dst->is_dir && !src.is_dir) return -EISDIR;
  if (!dst->is_dir && src.is_dir) return -ENOTDIR;
  if (dst->is_dir) {
    // Replacing a directory: it must be empty, here (files written, not uploaded yet) and on
    // the store (else ENOTEMPTY from the remove).
    if (!nodes_.under(dst_path).empty()) return -ENOTEMPTY;
    storage_.remove(dst_path);
    metadata_.put_missing(dst_path);
  }
  return 0;
}

void Filesystem::move_file_or_directory(const std::string& src, const std::string& dst,
                                        bool* on_server,
                                        const std::optional<dbfs::FileInfo>& replaced) {
  // The store moves the file, or the whole directory with everything being written below it,
  // holding the locks of those nodes and of the file it replaces: no upload of any of them may
  // land in between.
  auto nodes = nodes_.under(src);
  if (auto target = nodes_.find(dst)) nodes.push_back(std::move(target));
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  std::optional<std::string> aside;
  move_holding(nodes, src, dst, [&] {
    if (!journal_.wait_for_uploads_under(src, std::chrono::seconds(10))) {
      spdlog::warn("rename {}: uploads below it still running; their temporary files may be left "
                   "behind under {}", src, dst);
    }
    if (*on_server) aside = move_replacing(storage_, &journal_, src, dst);
  }, on_server);
  if (*on_server) {
    if (aside) {
      drop_file(dst, aside);
    } else {
      forget_node(dst);
    }
  } else if (replaced && !replaced->is_dir) {
    // The file moved here is only local until it is uploaded: the old one leaves the store now
    // (kept for its descriptors, if open), or a later rename of the new one would leave it
    // behind under this name.
    drop_file(dst, std::nullopt);
  }
  nodes_.rekey(src, dst);
  reader_.forget(src);
  reader_.forget(dst);
}

void Filesystem::move_holding(std::span<const std::shared_ptr<FileNode>> nodes,
                              const std::string& from, const std::string& to,
                              const std::function<void()>& move, bool* on_server) {
  if (nodes.empty()) {
    move();
    return;
  }
  FileNode& node = *nodes.front();
  threads::MutexLock lock(node.mutex);
  if (node.path() == from && !node.unlinked()) *on_server = node.on_server();
  node.stop_streaming_for_move();
  move_holding(nodes.subspan(1), from, to, move, on_server);
  node.moved(from, to, journal_);
}

}  // namespace fs
