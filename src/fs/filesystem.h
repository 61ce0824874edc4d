#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dbfs/api.h"
#include "fs/block_cache.h"
#include "fs/file_node.h"
#include "fs/memory_budget.h"
#include "fs/metadata_cache.h"
#include "fs/options.h"
#include "common/thread_annotations.h"
#include "fs/thread_pool.h"
#include "fs/upload_journal.h"
#include "fs/uploader.h"

namespace fs {


// The filesystem in POSIX terms, over any dbfs::Api. Paths are as the mount shows them ("/" is
// the mount's root, i.e. options.remote_root on DBFS). Every method returns 0 (or a count) on
// success and -errno on failure, never throws. Thread-safe.
//
// Consistency: what this mount did is seen at once by its own users; changes made elsewhere are
// seen once the cached attributes and listings expire (options.ttls).
class Filesystem {
 public:
  using Handle = uint64_t;
  static constexpr size_t kNameMax = 255;  // bytes in one name, as on local filesystems
  struct DirEntry {
    std::string name;
    struct stat st;
  };

  Filesystem(dbfs::Api& api, FsOptions options);
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
  // With `whole`, a read of exactly one whole block of a file larger than the block cache, that
  // no other reader holds, may hand that block over instead of copying it into `buf`: then
  // `*whole` holds the bytes (and the cache no longer does). Only for replies the kernel keeps
  // in its page cache.
  int read(Handle fh, char* buf, size_t size, int64_t offset, BlockBytes* whole = nullptr);
  // A descriptor opened with O_APPEND writes at the end of the content as it is here, whatever
  // `offset` says (the kernel's idea of the size may be stale); `page_writeback` writes (dirty
  // mmap pages) go where they say.
  int write(Handle fh, const char* buf, size_t size, int64_t offset, bool page_writeback = false);
  // close(2) of a descriptor: uploads what this file has that DBFS has not, and the error is
  // close's, when the process that opened the descriptor closes it (`caller`, 0: unknown);
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
  // leaves DBFS and the listing as unlink does, but getattr and truncate still find it under
  // `alias` until unlink(alias), so descriptors can fstat it whatever its size.
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
  Stats stats() EXCLUDES(nodes_mutex_);
  // Whether every hidden file this mount made on DBFS is gone (waiting up to `timeout`).
  bool settled(std::chrono::milliseconds timeout) { return journal_.wait_until_settled(timeout); }

 private:
  // The DBFS path of a path as the mount shows it ("/" is options.remote_root).
  std::string dbfs_path(const std::string& path) const;
  // Whether `path` has the form of one of our hidden names (logged): those cannot be made here.
  static bool reserved(const std::string& path);
  // The attributes of a DBFS path (cache, then get-status); nullopt when it does not exist.
  // Throws dbfs::ApiError.
  std::optional<dbfs::FileInfo> lookup(const std::string& remote_path);
  // Like lookup, but a file with staged data answers from its node.
  std::optional<dbfs::FileInfo> current(const std::string& remote_path);
  // Counts a cache miss in `dir`; true on every second one, when listing the directory beats
  // asking name by name.
  bool second_miss_in(const std::string& dir) EXCLUDES(misses_mutex_);
  void fill_stat(const dbfs::FileInfo& info, struct stat* st) const;
  // The attributes of an open file, unlinked or not (nlink 0 then).
  void stat_node(FileNode& node, struct stat* st) const;
  std::shared_ptr<FileNode> find_alias(const std::string& remote_alias) EXCLUDES(nodes_mutex_);

  std::shared_ptr<FileNode> find_node(const std::string& remote_path) EXCLUDES(nodes_mutex_);
  Handle new_handle(std::shared_ptr<FileNode> node, int flags, pid_t opener)
      EXCLUDES(nodes_mutex_);
  // The node of `remote_path`, made if needed, with its open count raised; a node mirroring
  // DBFS takes `on_server` as its version.
  std::shared_ptr<FileNode> attach_node(const std::string& remote_path,
                                        const dbfs::FileInfo* on_server) EXCLUDES(nodes_mutex_);
  // Raises the open count of `node` if it is still the node of `remote_path`.
  bool reattach_node(const std::string& remote_path, const std::shared_ptr<FileNode>& node)
      EXCLUDES(nodes_mutex_);
  // Whether the node's content is its own (being written, or made here) rather than DBFS's.
  static bool holds_own_content(FileNode& node);
  void detach_node(const std::shared_ptr<FileNode>& node) EXCLUDES(nodes_mutex_);
  // The node of an existing file (open elsewhere, or looked up), attached; or -errno.
  int attach_file(const std::string& remote_path, std::shared_ptr<FileNode>* node);
  // Takes a node out of the table (unlinked, replaced): later opens of its path get a new one.
  // A node that reads its content from DBFS then reads it from `retired_path`, if given, and
  // deletes it after its last descriptor.
  void forget_node(const std::string& remote_path, const std::string& retired_path = {})
      EXCLUDES(nodes_mutex_);
  // The node of `remote_path`, if its content is only on DBFS and descriptors are open on it:
  // removing or replacing that file must keep the content for them (retire_file).
  std::shared_ptr<FileNode> open_mirror(const std::string& remote_path) EXCLUDES(nodes_mutex_);
  // Removes (or replaces) the file at `remote_path` on DBFS, keeping its content under a hidden
  // name for descriptors still reading it; `aside` is where a replace already moved it.
  void drop_file(const std::string& remote_path, std::optional<std::string> aside)
      EXCLUDES(nodes_mutex_);
  // The open nodes at or below `remote_path`, in the order their locks are taken.
  std::vector<std::shared_ptr<FileNode>> nodes_under(const std::string& remote_path)
      EXCLUDES(nodes_mutex_);
  // Runs `move` holding the locks of `nodes`, each node's stream stopped first (its temporary
  // file lives in a directory the move may take away), then gives each node its new path.
  void move_holding(std::span<const std::shared_ptr<FileNode>> nodes, const std::string& from,
                    const std::string& to, const std::function<void()>& move);
  void rekey_nodes(const std::string& from, const std::string& to) EXCLUDES(nodes_mutex_);
  bool keep_kernel_cache(const std::string& remote_path, const dbfs::FileInfo& info)
      EXCLUDES(versions_mutex_);

  // These need the node's lock held.
  void load_staging(FileNode& node) REQUIRES(node.mutex);
  void truncate_locked(FileNode& node, int64_t size) REQUIRES(node.mutex);
  void stream_blocks(FileNode& node) REQUIRES(node.mutex);
  // The file is uploaded whole at close from now on; what its stream sent is removed.
  // With `wait`, returns once the stream's temporary file is gone.
  void stop_streaming(FileNode& node, bool wait = false) REQUIRES(node.mutex);
  // Stages bytes written at `offset`, and streams what it can; throws what staging throws.
  void write_staged(FileNode& node, const char* buf, size_t size, int64_t offset)
      REQUIRES(node.mutex);
  // Uploads the staged content; 0 or -errno, which the caller reports.
  int upload_locked(FileNode& node) REQUIRES(node.mutex);
  void upload_staged(FileNode& node) REQUIRES(node.mutex);
  // At the release of the last writer: uploads what no close published; keeps it in cache_dir
  // if that fails.
  void publish_unreported(FileNode& node) REQUIRES(node.mutex);
  // Deletes the hidden name of a retired node after its last descriptor.
  void discard_retired(FileNode& node) REQUIRES(node.mutex);
  int read_remote(OpenFile& file, const dbfs::FileInfo& info, char* buf, size_t size,
                  int64_t offset, BlockBytes* whole);
  BlockCache::Fetch fetch_block(const dbfs::FileInfo& info, int64_t index);

  dbfs::Api& api_;
  FsOptions options_;
  MetadataCache metadata_;
  BlockCache blocks_;
  ThreadPool readahead_pool_;
  UploadJournal journal_;
  MemoryBudget staging_memory_;
  std::atomic<uint64_t> uploads_{0};
  std::atomic<uint64_t> uploads_failed_{0};
  std::atomic<uint64_t> uploads_in_flight_{0};

  // Renames lock the nodes they move, several at once: one rename at a time, so two never take
  // the same locks in different orders.
  threads::Mutex rename_mutex_;

  threads::Mutex misses_mutex_;
  std::unordered_map<std::string, int> misses_ GUARDED_BY(misses_mutex_);
  // Directories whose listing failed, and until when none is tried again.
  static constexpr std::chrono::seconds kUnlistableFor{300};
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> unlistable_until_
      GUARDED_BY(misses_mutex_);

  threads::Mutex nodes_mutex_;
  // Files open or holding staged data, by DBFS path.
  std::unordered_map<std::string, std::shared_ptr<FileNode>> nodes_ GUARDED_BY(nodes_mutex_);
  // Open files removed while open, by the alias libfuse gave them (hide).
  std::unordered_map<std::string, std::shared_ptr<FileNode>> aliases_ GUARDED_BY(nodes_mutex_);
  // Every open descriptor, owned here: a stop before the kernel's release must not leak them.
  std::unordered_map<OpenFile*, std::unique_ptr<OpenFile>> open_files_ GUARDED_BY(nodes_mutex_);
  // The version (size, mtime) of each path when last opened, to decide keep_cache. A lock of
  // its own, taken last: open() asks with the node's lock held, which must never wait for
  // nodes_mutex_ (see file_node.h).
  threads::Mutex versions_mutex_;
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> opened_versions_
      GUARDED_BY(versions_mutex_);
};

}  // namespace fs
