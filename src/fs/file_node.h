#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/thread_annotations.h"
#include "dbfs/file_info.h"
#include "fs/memory_budget.h"
#include "fs/staging.h"
#include "fs/upload_stream.h"

namespace fs {

class MetadataCache;
class RemoteReader;
class Storage;
class UploadJournal;

// What a file's content needs from the rest of the core to be staged, streamed and uploaded.
struct NodeServices {
  Storage& storage;
  UploadJournal& journal;
  MetadataCache& metadata;
  RemoteReader& reader;
  MemoryBudget& staging_memory;  // shared by every file's Staging
  std::string cache_dir;
  size_t staging_memory_bytes;  // per file, before it spills to cache_dir
  int upload_attempts;
  struct Counts {
    std::atomic<uint64_t> done{0}, failed{0}, in_flight{0};
  };
  Counts& uploads;
};

// One file that is open or holds data not yet on the store, shared by every descriptor open on
// it. Its content is in one of the states of Content (docs/design.md has the diagram); every
// change of state is made by a method of this class, with `mutex` held.
//
// `mutex` is held across the file's uploads and downloads: nothing that holds the node table's
// lock may wait for it (stat and listings read snapshot() instead), so one slow upload never
// freezes the mount. Lock order: FileNode::mutex, then the node table's, then shown_mutex_.
class FileNode {
 public:
  enum class Content {
    kRemote,     // the store's: reads go through the block cache
    kFresh,      // staged from empty, written front to back so far: may start streaming
    kStreaming,  // as kFresh, its full blocks uploading while it is written (stream_ set)
    kStaged,     // staged: uploaded whole when published
    kBroken,     // a write could not be staged: never uploaded, until truncated to empty
  };

  // What stat and listings show of the file; `info.path` is the name it goes by here.
  struct Shown {
    dbfs::FileInfo info;
    bool local = false;  // its content is its own (staged, or made here), not the store's
    bool unlinked = false;
    std::string retired_path;  // see retired_path()
  };

  // A node for a file made here (`on_server` null), or mirroring a file the store holds.
  FileNode(std::string path, const dbfs::FileInfo* on_server);

  threads::Mutex mutex ACQUIRED_BEFORE(shown_mutex_);

  Content content() const REQUIRES(mutex) { return content_; }
  const std::string& path() const REQUIRES(mutex) { return path_; }
  // Where its content is read from on the store: its path, or the hidden name it was retired to.
  const dbfs::FileInfo& remote() const REQUIRES(mutex) { return remote_; }
  bool on_server() const REQUIRES(mutex) { return on_server_; }
  bool unlinked() const REQUIRES(mutex) { return unlinked_; }
  bool staged() const REQUIRES(mutex) { return staging_ != nullptr; }
  // Holds bytes the store has not; published (uploaded) at the next close or fsync.
  bool needs_upload() const REQUIRES(mutex) { return dirty_ && !unlinked_; }
  // Of an unlinked file whose content only the store held: the hidden name it was moved to,
  // read by the descriptors still open and deleted after the last of them (upload_names.h).
  const std::string& retired_path() const REQUIRES(mutex) { return retired_path_; }

  // Takes `info` as the store's version, unless the node has content of its own.
  void mirror(const dbfs::FileInfo& info) REQUIRES(mutex);
  // `*staged` bytes of the staged content at `offset`; false if it has none (read remote()).
  bool read_staged(char* buf, size_t size, int64_t offset, size_t* staged) REQUIRES(mutex);
  // Stages `size` bytes at `offset` (at the end with `append`) and streams what it can.
  void write(const char* buf, size_t size, int64_t offset, bool append, NodeServices& services)
      REQUIRES(mutex);
  void truncate(int64_t size, NodeServices& services) REQUIRES(mutex);
  // Uploads the staged content; 0 or -errno, which the caller reports (close, fsync).
  int publish(NodeServices& services) REQUIRES(mutex);
  // Publishes changes that no close reported (mmap pages written back after close, an
  // inheriting process's writes), at the release of the last writer; keeps them in
  // cache_dir/unsaved/ if that fails.
  void publish_unreported(NodeServices& services) REQUIRES(mutex);
  // The file left its name (unlinked, replaced): it is never uploaded again. Its descriptors
  // read `retired_path`, if given, until the last one is gone.
  void unlink(const std::string& retired_path) REQUIRES(mutex);
  // Undoes unlink: content that was retired moves back to the file's path, and staged content,
  // whose old version the store no longer has, is published again. If the move back fails, it
  // throws, and the content is journaled for the next mount to move back.
  void relink(Storage& storage, UploadJournal& journal) REQUIRES(mutex);
  // A rename moved `from` (this file, or a directory above it) to `to`. Any stream stops first
  // (its temporary file lives in a directory the move may take away).
  void stop_streaming_for_move() REQUIRES(mutex);
  void moved(const std::string& from, const std::string& to, UploadJournal& journal)
      REQUIRES(mutex);
  // No descriptor is left: stops uploads in flight, deletes the retired content.
  void close_last(NodeServices& services) REQUIRES(mutex);
  // At unmount: bytes never uploaded are copied to cache_dir/unsaved/ and logged.
  void keep_at_unmount(NodeServices& services) REQUIRES(mutex);

  Shown snapshot() EXCLUDES(shown_mutex_);

 private:
  friend class NodeTable;  // open_count_, writers_

  dbfs::FileInfo attributes() const REQUIRES(mutex);
  // Loads the store's content into staging before a change that keeps some of it.
  void load(NodeServices& services) REQUIRES(mutex);
  std::unique_ptr<Staging> new_staging(NodeServices& services) const;
  void changed() REQUIRES(mutex);
  // Starts or feeds the stream with the full blocks staged past what it has.
  void stream_blocks(NodeServices& services) REQUIRES(mutex);
  // The one way out of kStreaming: what the stream sent is removed (with `wait`, before return).
  void give_up_stream(bool wait) REQUIRES(mutex);
  std::optional<dbfs::FileInfo> finish_stream() REQUIRES(mutex);
  void upload(NodeServices& services) REQUIRES(mutex);
  void discard_retired(NodeServices& services) REQUIRES(mutex);
  void publish_shown() REQUIRES(mutex) EXCLUDES(shown_mutex_);

  // The content and where it is.
  std::string path_ GUARDED_BY(mutex);      // its path on the store now (renames move it)
  dbfs::FileInfo remote_ GUARDED_BY(mutex);  // what the store holds, when on_server_
  bool on_server_ GUARDED_BY(mutex) = false;
  Content content_ GUARDED_BY(mutex) = Content::kRemote;
  std::unique_ptr<Staging> staging_ GUARDED_BY(mutex);  // set in every state but kRemote
  std::unique_ptr<UploadStream> stream_ GUARDED_BY(mutex);  // set in kStreaming only
  int64_t stream_frontier_ GUARDED_BY(mutex) = 0;  // bytes handed to the stream
  int write_error_ GUARDED_BY(mutex) = 0;  // kBroken's errno
  int64_t mtime_ms_ GUARDED_BY(mutex) = 0;  // of the staged content

  // Whether and when it is published.
  bool dirty_ GUARDED_BY(mutex) = false;     // staged bytes the store has not
  bool unlinked_ GUARDED_BY(mutex) = false;  // removed while open: never uploaded again
  std::string retired_path_ GUARDED_BY(mutex);
  // Counts changes to the content; `published_version_` is the count at the last upload whose
  // outcome a close or fsync reported.
  uint64_t version_ GUARDED_BY(mutex) = 0;
  uint64_t published_version_ GUARDED_BY(mutex) = 0;

  // Guarded by the node table's lock.
  int open_count_ = 0;  // attachments: descriptors, and operations in progress
  int writers_ = 0;     // descriptors that publish (Descriptor::publishes)

  threads::Mutex shown_mutex_;
  Shown shown_ GUARDED_BY(shown_mutex_);
};

}  // namespace fs
