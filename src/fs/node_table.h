#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/thread_annotations.h"
#include "dbfs/file_info.h"
#include "fs/file_node.h"
#include "fs/remote_reader.h"

namespace fs {

class NodeTable;

// One reference to a node that keeps it in the table while it lives: an open descriptor, or an
// operation in progress. It detaches itself; the last one of a node takes the node out of the
// table and runs FileNode::close_last. Never let one go while holding the node's lock.
class Attachment {
 public:
  Attachment() = default;
  Attachment(Attachment&& other) noexcept = default;
  Attachment& operator=(Attachment&& other) noexcept;
  Attachment(const Attachment&) = delete;
  Attachment& operator=(const Attachment&) = delete;
  ~Attachment() { reset(); }

  explicit operator bool() const { return node_ != nullptr; }
  FileNode& operator*() const { return *node_; }
  FileNode* operator->() const { return node_.get(); }
  const std::shared_ptr<FileNode>& node() const { return node_; }
  void reset();

 private:
  friend class NodeTable;
  Attachment(NodeTable* table, std::shared_ptr<FileNode> node)
      : table_(table), node_(std::move(node)) {}

  NodeTable* table_ = nullptr;
  std::shared_ptr<FileNode> node_;
};

// One open descriptor; the FUSE file handle points at it.
struct Descriptor {
  Descriptor(Attachment a, int f, pid_t by, int64_t readahead_max_blocks);

  Attachment node;
  int flags = 0;
  // Opened for writing, truncating or creating: its close publishes the file, if the opener
  // closes it. (A file created read-only must still come into being.)
  bool publishes = false;
  // The process that opened it (0: unknown). A close by another process, one that inherited
  // the descriptor, does not publish: docs/design.md, "When a file is published".
  pid_t opener = 0;
  ReadPattern pattern;
};

// The nodes of files that are open or hold data not yet on the store, by store path; the names
// libfuse gives removed open files (aliases); and every open descriptor, owned here so that a
// stop before the kernel's releases does not leak them. Thread-safe.
//
// Lock order: a FileNode's mutex may be held when this table's is taken, never the other way:
// nothing here waits for a node's lock (it reads FileNode::snapshot() instead).
class NodeTable {
 public:
  using Handle = uint64_t;

  explicit NodeTable(NodeServices& services) : services_(services) {}
  ~NodeTable() { close_all(); }

  std::shared_ptr<FileNode> find(const std::string& path) EXCLUDES(mutex_);
  // The node of `path`, made if needed, attached. A new node mirrors `on_server` if given, else
  // is a file made here; an existing one takes `on_server` as its version unless it has
  // content of its own.
  Attachment attach(const std::string& path, const dbfs::FileInfo* on_server) EXCLUDES(mutex_);
  // `node`, attached, if it is still the node of `path`; empty if not.
  Attachment attach_if_current(const std::string& path, const std::shared_ptr<FileNode>& node)
      EXCLUDES(mutex_);
  // Puts `node` in the table as the node of `path`, if `path` has none; false if it has.
  bool insert(const std::string& path, std::shared_ptr<FileNode> node) EXCLUDES(mutex_);
  // Takes the node of `path` out of the table (unlinked, replaced): later opens get a new one.
  std::shared_ptr<FileNode> forget(const std::string& path) EXCLUDES(mutex_);
  // The node of `path`, attached, if there is one; `*open` tells whether anything had it
  // attached already (descriptors, operations in progress).
  Attachment attach_existing(const std::string& path, bool* open) EXCLUDES(mutex_);
  // The nodes at or below `path`, also removed ones whose retired content is there, in the one
  // order their locks are taken by every rename.
  std::vector<std::shared_ptr<FileNode>> under(const std::string& path) EXCLUDES(mutex_);
  // Renames the table's keys at or below `from` to below `to`.
  void rekey(const std::string& from, const std::string& to) EXCLUDES(mutex_);
  // What stat shows of the files in `dir` that have content of their own, not yet listed.
  std::vector<dbfs::FileInfo> local_children(const std::string& dir) EXCLUDES(mutex_);
  std::vector<std::shared_ptr<FileNode>> all() EXCLUDES(mutex_);
  size_t size() EXCLUDES(mutex_);

  // Aliases: unlink(2) of an open file, libfuse's way (upload_names::is_open_alias_path).
  void add_alias(const std::string& alias, std::shared_ptr<FileNode> node) EXCLUDES(mutex_);
  std::shared_ptr<FileNode> find_alias(const std::string& alias) EXCLUDES(mutex_);
  bool remove_alias(const std::string& alias) EXCLUDES(mutex_);

  Handle open(Attachment node, int flags, pid_t opener, int64_t readahead_max_blocks)
      EXCLUDES(mutex_);
  static Descriptor& descriptor(Handle fh) { return *reinterpret_cast<Descriptor*>(fh); }
  // Takes the descriptor out; `*last_writer` tells whether it was its node's last publishing one.
  std::unique_ptr<Descriptor> close(Handle fh, bool* last_writer) EXCLUDES(mutex_);
  // Closes every descriptor still open (unmount).
  void close_all() EXCLUDES(mutex_);

 private:
  friend class Attachment;
  friend class Filesystem;  // names mutex_ in its declared lock order
  void detach(const std::shared_ptr<FileNode>& node) EXCLUDES(mutex_);

  NodeServices& services_;

  threads::Mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<FileNode>> nodes_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, std::shared_ptr<FileNode>> aliases_ GUARDED_BY(mutex_);
  std::unordered_map<Descriptor*, std::unique_ptr<Descriptor>> descriptors_ GUARDED_BY(mutex_);
};

}  // namespace fs
