#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/thread_annotations.h"
#include "fs/attribute_lookup.h"
#include "fs/block_bytes.h"
#include "fs/block_cache.h"
#include "fs/file_node.h"
#include "fs/kernel_cache.h"
#include "fs/memory_budget.h"
#include "fs/metadata_cache.h"
#include "fs/node_table.h"
#include "fs/options.h"
#include "fs/path_locks.h"
#include "fs/remote_reader.h"
#include "fs/storage.h"
#include "fs/thread_pool.h"
#include "fs/upload_journal.h"

namespace fs {

// The filesystem in POSIX terms, over a Storage (docs/design.md). Paths are as the mount shows
// them ("/" is the mount's root, i.e. options.remote_root on the store). Every method returns 0
// (or a count) on success and -errno on failure, never throws. Thread-safe.
//
// Consistency: what this mount did is seen at once by its own users; changes made elsewhere are
// seen once the cached attributes and listings expire (options.ttls).
class Filesystem {
 public:
  using Handle = NodeTable::Handle;
  static constexpr size_t kNameMax = 255;  // bytes in one name, as on local filesystems
  struct DirEntry {
    std::string name;
    struct stat st;
  };
  // A read's bytes (fewer than asked only at the end of the file), or its -errno.
  struct ReadResult {
    int error = 0;
    BlockBytes bytes;
  };

  Filesystem(Storage& storage, FsOptions options);
  ~Filesystem();

  int getattr(const std::string& path, struct stat* st);
  // The attributes of an open file, also after it was unlinked or replaced (nlink 0 then).
  int getattr(Handle fh, struct stat* st);
  int readdir(const std::string& path, std::vector<DirEntry>& out);
  int statfs(struct statvfs* st);

  // `keep_cache` tells the caller whether the kernel may keep the pages it has of this file.
  // `opener` is the process opening it (0: unknown), for flush.
  int open(const std::string& path, int flags, Handle* fh, bool* keep_cache, pid_t opener = 0);
  int create(const std::string& path, int flags, Handle* fh, pid_t opener = 0);
  // `page_cached`: the reply goes to the kernel's page cache (not O_DIRECT), so a read of one
  // whole block of a big file may be handed that block instead of a copy (RemoteReader).
  ReadResult read(Handle fh, size_t size, int64_t offset, bool page_cached = false);
  // A descriptor opened with O_APPEND writes at the end of the content as it is here, whatever
  // `offset` says (the kernel's idea of the size may be stale); `page_writeback` writes (dirty
  // mmap pages) go where they say.
  int write(Handle fh, const char* buf, size_t size, int64_t offset, bool page_writeback = false);
  // close(2) of a descriptor: uploads what this file has that the store has not, and the error
  // is close's, when the process that opened the descriptor closes it (`caller`, 0: unknown);
  // a process that inherited it does not publish the file (docs/design.md).
  int flush(Handle fh, pid_t caller = 0);
  int fsync(Handle fh);
  // The last reference to a descriptor is gone: changes no close has published yet (dirty mmap
  // pages, an inheriting process's writes) are uploaded now; if that fails, the bytes are kept
  // in cache_dir and the failure is logged.
  int release(Handle fh);
  // truncate(2): the new content is uploaded at once, since no close follows.
  int truncate(const std::string& path, int64_t size);
  // ftruncate(2): staged, and uploaded when the descriptor publishes, like a write.
  int truncate(Handle fh, int64_t size);

  int mkdir(const std::string& path);
  int rmdir(const std::string& path);
  int unlink(const std::string& path);
  // unlink(2) of a file that is open (libfuse's way, upload_names::is_open_alias_path): the file
  // leaves the store and the listing as unlink does, but getattr and truncate still find it
  // under `alias` until unlink(alias), so descriptors can fstat it whatever its size.
  int hide(const std::string& path, const std::string& alias);
  enum RenameFlags : unsigned { kNoReplace = 1, kExchange = 2 };
  int rename(const std::string& from, const std::string& to, unsigned flags);

  struct Stats {
    BlockCache::Stats blocks;
    uint64_t uploads = 0;
    uint64_t uploads_failed = 0;
    uint64_t uploads_in_flight = 0;
    uint64_t nodes = 0;  // files open, or holding data not uploaded yet
  };
  Stats stats();
  // Whether every hidden file this mount made on the store is gone (waiting up to `timeout`).
  bool settled(std::chrono::milliseconds timeout) { return journal_.wait_until_settled(timeout); }

 private:
  // The store path of a path as the mount shows it ("/" is options.remote_root).
  std::string store_path(const std::string& path) const;
  // Whether `path` has the form of one of our hidden names (logged): those cannot be made here.
  static bool reserved(const std::string& path);
  // Like lookup, but a file with content of its own answers from its node.
  std::optional<dbfs::FileInfo> current(const std::string& path);
  void fill_stat(const dbfs::FileInfo& info, struct stat* st) const;
  // The attributes of an open file, unlinked or not (nlink 0 then).
  void stat_node(FileNode& node, struct stat* st) const;
  // Adds the files written here and not listed yet to `out`.
  void list_local(const std::string& dir, std::vector<DirEntry>& out);

  // The node of an existing file (open elsewhere, or looked up), attached; or -errno.
  int attach_file(const std::string& path, Attachment* node);
  // Removes (or replaces) the file at `path` on the store, keeping its content under a hidden
  // name for descriptors still reading it; `aside` is where a replace already moved it.
  void drop_file(const std::string& path, std::optional<std::string> aside);
  void forget_node(const std::string& path, const std::string& retired_path = {});
  // rename(2) proper, of `from` over `to`.
  int move_path(const std::string& from, const std::string& to, unsigned flags);
  // Undoes hide(path, alias): its rename failed, so the file it was to replace comes back.
  void unhide(const std::string& path, const std::string& alias);
  // Whether a rename of `src` may replace what `dst` holds; 0 or -errno.
  int check_replace(const dbfs::FileInfo& src, const std::optional<dbfs::FileInfo>& dst,
                    const std::string& dst_path, unsigned flags);
  // Moves `from` to `to` on the store (replacing a file there) with the nodes below it;
  // `*on_server` (whether the file is on the store) is settled under the source node's lock.
  void move_file_or_directory(const std::string& from, const std::string& to, bool* on_server,
                              const std::optional<dbfs::FileInfo>& replaced);
  // Runs `move` holding the locks of `nodes`, each node's stream stopped first, then gives each
  // node its new path; reads `*on_server` of the node at `from`, if any, under its lock.
  void move_holding(std::span<const std::shared_ptr<FileNode>> nodes, const std::string& from,
                    const std::string& to, const std::function<void()>& move, bool* on_server);

  // Set at construction; each is thread-safe on its own.
  Storage& storage_;
  const FsOptions options_;
  MetadataCache metadata_;
  BlockCache blocks_;
  ThreadPool readahead_pool_;
  UploadJournal journal_;
  MemoryBudget staging_memory_;
  NodeServices::Counts uploads_;
  RemoteReader reader_;
  AttributeLookup attributes_;
  KernelCache kernel_cache_;
  NodeServices services_;
  PathLocks path_locks_;
  // Last: its nodes use everything above, so it goes first.
  NodeTable nodes_;

  // Renames lock the nodes they move, several at once: one rename at a time, so two never take
  // the same locks in different orders. Taken before any node's lock, and before the table's.
  threads::Mutex rename_mutex_ ACQUIRED_BEFORE(nodes_.mutex_);
};

}  // namespace fs
