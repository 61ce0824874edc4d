#include "fs/filesystem.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <system_error>

#include "dbfs/api_error.h"
#include "dbfs/path.h"
#include "fs/errno_guard.h"
#include "fs/file_node.h"
#include "fs/replace.h"
#include "fs/unsaved.h"
#include "fs/upload_names.h"

// The metadata and namespace half of Filesystem; file contents are in filesystem_io.cpp.

namespace fs {

Filesystem::Filesystem(dbfs::Api& api, FsOptions options)
    : api_(api),
      options_(std::move(options)),
      metadata_(options_.ttls),
      blocks_(options_.block_cache_bytes),
      readahead_pool_(options_.readahead_threads),
      journal_(options_.cache_dir, options_.workspace),
      staging_memory_(options_.staging_total_memory_bytes) {}

Filesystem::~Filesystem() {
  std::vector<std::shared_ptr<FileNode>> nodes;
  {
    threads::MutexLock lock(nodes_mutex_);
    for (auto& [path, node] : nodes_) nodes.push_back(node);
  }
  for (auto& node : nodes) {
    threads::MutexLock lock(node->mutex);
    if (node->dirty && !node->unlinked && !node->write_error && node->staging) {
      std::string kept = keep_unsaved(options_.cache_dir, node->path, *node->staging);
      spdlog::error("{}: unmounted with {} bytes never uploaded (the file was not closed); {}",
                    node->path, node->staging->size(),
                    kept.empty() ? "they are lost" : "they are kept in " + kept);
    }
    if (node->stream) node->stream->abandon();
    discard_retired(*node);
  }
  // Abandoned streams remove their temporary files on their own threads, which use the API and
  // the journal: let them finish first.
  if (!journal_.wait_until_settled(std::chrono::seconds(30))) {
    spdlog::warn("unmounting with temporary uploads still being removed; the next mount removes them");
  }
}

std::string Filesystem::dbfs_path(const std::string& path) const {
  if (options_.remote_root == "/") return path;
  if (path == "/") return options_.remote_root;
  return options_.remote_root + path;
}

std::optional<dbfs::FileInfo> Filesystem::lookup(const std::string& remote_path) {
  auto cached = metadata_.lookup(remote_path);
  if (cached.state == MetadataCache::State::kPresent) return cached.info;
  if (cached.state == MetadataCache::State::kMissing) return std::nullopt;
  if (remote_path != "/" && second_miss_in(dbfs::path::parent(remote_path))) {
    // A program stat()ing one name after another in a directory (rsync, make, git) is served
    // by one list instead of a get-status each. The listing only saves calls: one attempt, and
    // a directory that cannot be listed (too big, gone) is not tried again for a while.
    std::string dir = dbfs::path::parent(remote_path);
    try {
      metadata_.put_listing(dir, api_.list_once(dir));
      cached = metadata_.lookup(remote_path);
      if (cached.state == MetadataCache::State::kPresent) return cached.info;
      if (cached.state == MetadataCache::State::kMissing) return std::nullopt;
    } catch (const dbfs::ApiError& e) {
      spdlog::debug("list {} instead of get-status failed: {}; not listing it again for {} s",
                    dir, e.what(), kUnlistableFor.count());
      threads::MutexLock lock(misses_mutex_);
      unlistable_until_[dir] = std::chrono::steady_clock::now() + kUnlistableFor;
    }
  }
  try {
    dbfs::FileInfo info = api_.get_status(remote_path);
    metadata_.put(info);
    return info;
  } catch (const dbfs::ApiError& e) {
    if (!e.is_not_found()) throw;
    metadata_.put_missing(remote_path);
    return std::nullopt;
  }
}

std::optional<dbfs::FileInfo> Filesystem::current(const std::string& remote_path) {
  if (auto node = find_node(remote_path)) {
    FileNode::Shown shown = node->snapshot();
    if (shown.local) return shown.info;
  }
  return lookup(remote_path);
}

void Filesystem::fill_stat(const dbfs::FileInfo& info, struct stat* st) const {
  std::memset(st, 0, sizeof *st);
  // Stable inode numbers: a hash of the DBFS path.
  st->st_ino = std::hash<std::string>{}(info.path) | 1;
  st->st_uid = options_.uid;
  st->st_gid = options_.gid;
  if (info.is_dir) {
    st->st_mode = S_IFDIR | (0777 & ~options_.umask);
    st->st_nlink = 2;
  } else {
    st->st_mode = S_IFREG | (0666 & ~options_.umask);
    st->st_nlink = 1;
    st->st_size = info.file_size;
    st->st_blocks = (info.file_size + 511) / 512;
  }
  st->st_blksize = 1 << 20;  // tools like cp size their buffers by it: DBFS likes 1 MiB
  st->st_mtim.tv_sec = info.modification_time / 1000;
  st->st_mtim.tv_nsec = (info.modification_time % 1000) * 1'000'000;
  st->st_atim = st->st_mtim;
  st->st_ctim = st->st_mtim;
}

int Filesystem::getattr(const std::string& path, struct stat* st) {
  return errno_guard("getattr", path, [&] {
    // The kernel looks a name up before it creates, opens, removes or renames it: a name too
    // long for statfs's f_namemax stops every one of them here, before any call.
    if (dbfs::path::basename(path).size() > kNameMax) return -ENAMETOOLONG;
    if (upload_names::is_hidden_path(path)) return -ENOENT;
    if (upload_names::is_open_alias_path(path)) {
      auto node = find_alias(dbfs_path(path));
      if (!node) return -ENOENT;
      stat_node(*node, st);
      return 0;
    }
    auto info = current(dbfs_path(path));
    if (!info) return -ENOENT;
    fill_stat(*info, st);
    return 0;
  });
}

int Filesystem::getattr(Handle fh, struct stat* st) {
  stat_node(*reinterpret_cast<OpenFile*>(fh)->node, st);
  return 0;
}

void Filesystem::stat_node(FileNode& node, struct stat* st) const {
  FileNode::Shown shown = node.snapshot();  // its path: the inode of the name it was opened by
  fill_stat(shown.info, st);
  if (shown.unlinked) st->st_nlink = 0;
}

std::shared_ptr<FileNode> Filesystem::find_alias(const std::string& remote_alias) {
  threads::MutexLock lock(nodes_mutex_);
  auto it = aliases_.find(remote_alias);
  return it == aliases_.end() ? nullptr : it->second;
}

int Filesystem::readdir(const std::string& path, std::vector<DirEntry>& out) {
  return errno_guard("readdir", path, [&] {
    std::string dir = dbfs_path(path);
    auto entries = metadata_.listing(dir);
    if (!entries) {
      entries = api_.list(dir);
      metadata_.put_listing(dir, *entries);
    }
    out.clear();
    out.reserve(entries->size());
    for (const auto& e : *entries) {
      std::string_view name = dbfs::path::basename(e.path);
      if (name.empty() || upload_names::is_hidden(name)) continue;
      DirEntry entry{std::string(name), {}};
      fill_stat(e, &entry.st);
      out.push_back(std::move(entry));
    }
    // Files created here but not uploaded yet are listed too.
    std::vector<dbfs::FileInfo> local;
    {
      threads::MutexLock lock(nodes_mutex_);
      for (const auto& [node_path, node] : nodes_) {
        if (dbfs::path::parent(node_path) != dir || node_path == dir) continue;
        FileNode::Shown shown = node->snapshot();
        if (shown.local && !shown.unlinked) local.push_back(shown.info);
      }
    }
    // Listed as it is here, also where a listing fetched a moment ago still names its old self.
    for (const auto& info : local) {
      std::string_view name = dbfs::path::basename(info.path);
      auto listed = std::find_if(out.begin(), out.end(), [&](const DirEntry& e) { return e.name == name; });
      if (listed == out.end()) listed = out.insert(out.end(), DirEntry{std::string(name), {}});
      fill_stat(info, &listed->st);
    }
    return 0;
  });
}

int Filesystem::statfs(struct statvfs* st) {
  // DBFS has no quota to report; large round numbers keep df and cp's space checks happy.
  std::memset(st, 0, sizeof *st);
  st->f_bsize = 1 << 20;
  st->f_frsize = 4096;
  st->f_blocks = st->f_bfree = st->f_bavail = 1ull << 38;  // 1 PiB
  st->f_files = st->f_ffree = st->f_favail = 1ull << 32;
  st->f_namemax = kNameMax;
  return 0;
}

std::shared_ptr<FileNode> Filesystem::find_node(const std::string& remote_path) {
  threads::MutexLock lock(nodes_mutex_);
  auto it = nodes_.find(remote_path);
  return it == nodes_.end() ? nullptr : it->second;
}

std::shared_ptr<FileNode> Filesystem::attach_node(const std::string& remote_path,
                                                  const dbfs::FileInfo* on_server) {
  std::shared_ptr<FileNode> node;
  bool made = false;
  {
    threads::MutexLock lock(nodes_mutex_);
    auto& slot = nodes_[remote_path];
    if (!slot) {
      slot = std::make_shared<FileNode>(remote_path, on_server);
      made = true;
    }
    ++slot->open_count;
    node = slot;
  }
  if (on_server && !made) {
    threads::MutexLock lock(node->mutex);
    if (!node->staging) {  // a node with content of its own keeps it
      node->remote = *on_server;
      node->on_server = true;
      node->publish_shown();
    }
  }
  return node;
}

bool Filesystem::reattach_node(const std::string& remote_path,
                               const std::shared_ptr<FileNode>& node) {
  threads::MutexLock lock(nodes_mutex_);
  auto it = nodes_.find(remote_path);
  if (it == nodes_.end() || it->second != node) return false;
  ++node->open_count;
  return true;
}

bool Filesystem::holds_own_content(FileNode& node) { return node.snapshot().local; }

void Filesystem::detach_node(const std::shared_ptr<FileNode>& node) {
  {
    threads::MutexLock lock(nodes_mutex_);
    if (--node->open_count > 0) return;
    auto it = nodes_.find(node->snapshot().info.path);
    if (it != nodes_.end() && it->second == node) nodes_.erase(it);
  }
  // Out of the table, so no one attaches it again; its lock is taken holding no shared one.
  threads::MutexLock node_lock(node->mutex);
  if (node->dirty && !node->unlinked) {
    // Its close was told, and returned the error.
    spdlog::error("{}: discarding {} bytes that could not be uploaded", node->path,
                  node->staging ? node->staging->size() : 0);
  }
  if (node->stream) node->stream->abandon();
  discard_retired(*node);
}

void Filesystem::discard_retired(FileNode& node) {
  if (node.retired_path.empty()) return;
  discard_hidden(api_, &journal_, node.retired_path);
  node.retired_path.clear();
}

void Filesystem::forget_node(const std::string& remote_path, const std::string& retired_path) {
  std::shared_ptr<FileNode> node;
  {
    threads::MutexLock lock(nodes_mutex_);
    auto it = nodes_.find(remote_path);
    if (it == nodes_.end()) return;
    node = it->second;
    nodes_.erase(it);
  }
  threads::MutexLock node_lock(node->mutex);
  node->unlinked = true;
  node->dirty = false;
  if (node->stream) node->stream->abandon();
  node->stream.reset();
  if (!retired_path.empty()) {
    node->retired_path = retired_path;
    node->remote.path = retired_path;
  }
  node->publish_shown();
}

std::shared_ptr<FileNode> Filesystem::open_mirror(const std::string& remote_path) {
  threads::MutexLock lock(nodes_mutex_);
  auto it = nodes_.find(remote_path);
  if (it == nodes_.end() || it->second->open_count == 0) return nullptr;
  if (it->second->snapshot().local) return nullptr;
  return it->second;
}

std::vector<std::shared_ptr<FileNode>> Filesystem::nodes_under(const std::string& remote_path) {
  std::vector<std::shared_ptr<FileNode>> found;
  {
    threads::MutexLock lock(nodes_mutex_);
    for (const auto& [path, node] : nodes_) {
      if (dbfs::path::is_within(path, remote_path)) found.push_back(node);
    }
    // Removed files still open: their name is gone, but the content they read from DBFS under
    // a hidden name moves with its directory.
    for (const auto& [raw, file] : open_files_) {
      FileNode::Shown shown = file->node->snapshot();
      if (shown.unlinked && !shown.retired_path.empty() &&
          dbfs::path::is_within(shown.retired_path, remote_path)) {
        found.push_back(file->node);
      }
    }
  }
  std::sort(found.begin(), found.end());  // one order for every rename
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

void Filesystem::move_holding(std::span<const std::shared_ptr<FileNode>> nodes,
                              const std::string& from, const std::string& to,
                              const std::function<void()>& move) {
  if (nodes.empty()) {
    move();
    return;
  }
  FileNode& node = *nodes.front();
  threads::MutexLock lock(node.mutex);
  stop_streaming(node, /*wait=*/true);
  move_holding(nodes.subspan(1), from, to, move);
  auto moved = [&](const std::string& path) {
    return dbfs::path::is_within(path, from) ? to + path.substr(from.size()) : path;
  };
  if (!node.unlinked) node.path = moved(node.path);
  if (std::string retired = moved(node.retired_path); retired != node.retired_path) {
    journal_.retire(retired);  // the content a removed file's descriptors read moved with it
    journal_.end(node.retired_path);
    node.retired_path = retired;
  }
  node.remote.path = node.retired_path.empty() ? node.path : node.retired_path;
  node.publish_shown();
}

void Filesystem::rekey_nodes(const std::string& from, const std::string& to) {
  threads::MutexLock lock(nodes_mutex_);
  std::vector<std::pair<std::string, std::shared_ptr<FileNode>>> moved;
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (dbfs::path::is_within(it->first, from)) {
      moved.emplace_back(to + it->first.substr(from.size()), std::move(it->second));
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [new_path, node] : moved) nodes_[new_path] = std::move(node);
}

bool Filesystem::keep_kernel_cache(const std::string& remote_path, const dbfs::FileInfo& info) {
  threads::MutexLock lock(versions_mutex_);
  if (opened_versions_.size() > 100'000) opened_versions_.clear();  // a bound: kernel caches drop
  auto version = std::make_pair(info.file_size, info.modification_time);
  auto [it, inserted] = opened_versions_.try_emplace(remote_path, version);
  if (inserted) return false;
  bool same = it->second == version;
  it->second = version;
  return same;
}

bool Filesystem::second_miss_in(const std::string& dir) {
  threads::MutexLock lock(misses_mutex_);
  // Bounds, not policies: counts start over.
  if (misses_.size() > 10'000) misses_.clear();
  if (unlistable_until_.size() > 10'000) unlistable_until_.clear();
  if (auto it = unlistable_until_.find(dir); it != unlistable_until_.end()) {
    if (std::chrono::steady_clock::now() < it->second) return false;
    unlistable_until_.erase(it);
  }
  int& misses = misses_[dir];
  if (++misses < 2) return false;
  misses = 0;
  return true;
}

Filesystem::Stats Filesystem::stats() {
  Stats s;
  s.blocks = blocks_.stats();
  s.uploads = uploads_;
  s.uploads_failed = uploads_failed_;
  s.uploads_in_flight = uploads_in_flight_;
  threads::MutexLock lock(nodes_mutex_);
  s.nodes = nodes_.size();
  return s;
}

}  // namespace fs
