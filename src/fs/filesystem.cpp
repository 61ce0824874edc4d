#include "fs/filesystem.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "dbfs/path.h"
#include "fs/errno_guard.h"
#include "fs/upload_names.h"

// Filesystem's construction and its attributes: stat, listings, statfs.

namespace fs {

Filesystem::Filesystem(Storage& storage, FsOptions options)
    : storage_(storage),
      options_(std::move(options)),
      metadata_(options_.ttls),
      blocks_(options_.block_cache_bytes),
      readahead_pool_(options_.readahead_threads),
      journal_(options_.cache_dir, options_.workspace),
      staging_memory_(options_.staging_total_memory_bytes),
      reader_(storage_, blocks_, readahead_pool_, metadata_, options_.block_cache_bytes),
      attributes_(storage_, metadata_),
      services_{storage_,          journal_,
                metadata_,         reader_,
                staging_memory_,   options_.cache_dir,
                options_.staging_memory_bytes, options_.upload_attempts,
                uploads_},
      nodes_(services_) {}

Filesystem::~Filesystem() {
  for (auto& node : nodes_.all()) {
    threads::MutexLock lock(node->mutex);
    node->keep_at_unmount(services_);
  }
  nodes_.close_all();
  // Abandoned streams remove their temporary files on their own threads, which use the store
  // and the journal: they must finish before those go. Every call they make has a deadline.
  while (!journal_.wait_until_settled(std::chrono::seconds(30))) {
    spdlog::warn("unmounting: waiting for temporary uploads to be removed");
  }
}

std::string Filesystem::store_path(const std::string& path) const {
  if (options_.remote_root == "/") return path;
  if (path == "/") return options_.remote_root;
  return options_.remote_root + path;
}

std::optional<dbfs::FileInfo> Filesystem::current(const std::string& path) {
  if (auto node = nodes_.find(path)) {
    FileNode::Shown shown = node->snapshot();
    if (shown.local) return shown.info;
  }
  return attributes_.lookup(path);
}

void Filesystem::fill_stat(const dbfs::FileInfo& info, struct stat* st) const {
  std::memset(st, 0, sizeof *st);
  // Stable inode numbers: a hash of the store path.
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
  st->st_blksize = RemoteReader::kBlock;  // tools like cp size their buffers by it
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
      auto node = nodes_.find_alias(store_path(path));
      if (!node) return -ENOENT;
      stat_node(*node, st);
      return 0;
    }
    auto info = current(store_path(path));
    if (!info) return -ENOENT;
    fill_stat(*info, st);
    return 0;
  });
}

int Filesystem::getattr(Handle fh, struct stat* st) {
  stat_node(*NodeTable::descriptor(fh).node, st);
  return 0;
}

void Filesystem::stat_node(FileNode& node, struct stat* st) const {
  FileNode::Shown shown = node.snapshot();  // its path: the inode of the name it was opened by
  fill_stat(shown.info, st);
  if (shown.unlinked) st->st_nlink = 0;
}

int Filesystem::readdir(const std::string& path, std::vector<DirEntry>& out) {
  return errno_guard("readdir", path, [&] {
    std::string dir = store_path(path);
    auto entries = metadata_.listing(dir);
    if (!entries) {
      entries = storage_.list(dir);
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
    list_local(dir, out);
    return 0;
  });
}

void Filesystem::list_local(const std::string& dir, std::vector<DirEntry>& out) {
  // Listed as they are here, also where a listing fetched a moment ago names their old selves.
  for (const auto& info : nodes_.local_children(dir)) {
    std::string_view name = dbfs::path::basename(info.path);
    auto listed = std::find_if(out.begin(), out.end(),
                               [&](const DirEntry& e) { return e.name == name; });
    if (listed == out.end()) listed = out.insert(out.end(), DirEntry{std::string(name), {}});
    fill_stat(info, &listed->st);
  }
}

int Filesystem::statfs(struct statvfs* st) {
  // The store has no quota to report; large round numbers keep df and cp's space checks happy.
  std::memset(st, 0, sizeof *st);
  st->f_bsize = RemoteReader::kBlock;
  st->f_frsize = 4096;
  st->f_blocks = st->f_bfree = st->f_bavail = 1ull << 38;  // 1 PiB
  st->f_files = st->f_ffree = st->f_favail = 1ull << 32;
  st->f_namemax = kNameMax;
  return 0;
}

Filesystem::Stats Filesystem::stats() {
  Stats s;
  s.blocks = blocks_.stats();
  s.uploads = uploads_.done;
  s.uploads_failed = uploads_.failed;
  s.uploads_in_flight = uploads_.in_flight;
  s.nodes = nodes_.size();
  return s;
}

}  // namespace fs
