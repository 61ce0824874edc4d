#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "dbfs/file_info.h"
#include "fs/readahead.h"
#include "fs/staging.h"
#include "common/thread_annotations.h"
#include "fs/upload_stream.h"

namespace fs {

// One file that is open or holds data not yet on DBFS, shared by every descriptor open on it.
// Lock order: Filesystem::nodes_mutex_ before FileNode::mutex before FileNode::shown_mutex.
// `mutex` is held across the file's uploads and loads; nothing that holds nodes_mutex_ may wait
// for it (stat and listings read `shown` instead), so one slow upload never freezes the mount.
struct FileNode {
  // A node for a file made here (`on_server_now` null), or mirroring a file DBFS holds.
  FileNode(std::string dbfs_path, const dbfs::FileInfo* on_server_now)
      : path(std::move(dbfs_path)), on_server(on_server_now != nullptr) {
    if (on_server_now) remote = *on_server_now;
    shown = {on_server ? remote : dbfs::FileInfo{path, false, 0, 0}, !on_server, false};
    shown.info.path = path;
  }

  threads::Mutex mutex;
  std::string path GUARDED_BY(mutex);     // its DBFS path now (renames move it)
  dbfs::FileInfo remote GUARDED_BY(mutex);  // what DBFS holds, when on_server
  bool on_server GUARDED_BY(mutex) = false;
  // The file's whole content once it is being written (or was truncated); null while the file
  // is only read, in which case reads go to the block cache.
  std::unique_ptr<Staging> staging GUARDED_BY(mutex);
  bool dirty GUARDED_BY(mutex) = false;     // staging holds bytes DBFS has not
  bool unlinked GUARDED_BY(mutex) = false;  // removed while open: never uploaded again
  // Of an unlinked file whose content only DBFS held: the hidden name it was moved to, read by
  // the descriptors still open and deleted after the last of them (upload_names.h).
  std::string retired_path GUARDED_BY(mutex);
  // Counts changes to the content; `published_version` is the count at the last upload attempt
  // whose outcome a close or fsync reported. Bytes changed after it (a child process's writes,
  // mmap pages written back after close) are uploaded when the last writer is released.
  uint64_t version GUARDED_BY(mutex) = 0;
  uint64_t published_version GUARDED_BY(mutex) = 0;
  int64_t mtime_ms GUARDED_BY(mutex) = 0;   // of the staged content
  // The errno of a write that could not be staged (a full cache_dir): part of it may be, so the
  // content is neither the old one nor what was written. It is never uploaded, and every close
  // says so, until the file is truncated to empty.
  int write_error GUARDED_BY(mutex) = 0;

  // Streaming upload of a file written front to back from empty.
  bool streamable GUARDED_BY(mutex) = false;
  std::unique_ptr<UploadStream> stream GUARDED_BY(mutex);
  int64_t stream_frontier GUARDED_BY(mutex) = 0;  // bytes handed to the stream

  int open_count = 0;  // guarded by Filesystem::nodes_mutex_
  int writers = 0;     // open descriptors that publish (OpenFile::publishes); the same guard

  dbfs::FileInfo attributes() REQUIRES(mutex) {
    if (!staging) return remote;
    return dbfs::FileInfo{path, false, staging->size(), mtime_ms};
  }

  // What stat and listings show of the file. `info.path` is the name it goes by here.
  struct Shown {
    dbfs::FileInfo info;
    bool local = false;  // its content is its own (staged, or made here), not DBFS's
    bool unlinked = false;
    std::string retired_path;  // see FileNode::retired_path
  };
  // Called after every change to what Shown holds, with `mutex` held.
  void publish_shown() REQUIRES(mutex) EXCLUDES(shown_mutex) {
    Shown now{attributes(), staging || !on_server, unlinked, retired_path};
    now.info.path = path;
    threads::MutexLock lock(shown_mutex);
    shown = std::move(now);
  }
  Shown snapshot() EXCLUDES(shown_mutex) {
    threads::MutexLock lock(shown_mutex);
    return shown;
  }

 private:
  threads::Mutex shown_mutex;
  Shown shown GUARDED_BY(shown_mutex);
};

// One open descriptor (the FUSE file handle points at it).
struct OpenFile {
  std::shared_ptr<FileNode> node;
  int flags = 0;
  // Opened for writing, truncating or creating: its close publishes the file, if the opener
  // closes it. (A file created read-only must still come into being.)
  bool publishes = false;
  // The process that opened it (0: unknown). A close by another process, one that inherited
  // the descriptor, does not publish: docs/design.md, "When a file is published".
  pid_t opener = 0;
  threads::Mutex readahead_mutex;
  Readahead readahead GUARDED_BY(readahead_mutex);

  OpenFile(std::shared_ptr<FileNode> n, int f, pid_t by, Readahead ra)
      : node(std::move(n)),
        flags(f),
        publishes((f & O_ACCMODE) != O_RDONLY || (f & (O_TRUNC | O_CREAT))),
        opener(by),
        readahead(ra) {}
};

}  // namespace fs
