#include "fs/node_table.h"

#include <fcntl.h>

#include <algorithm>

#include "dbfs/path.h"

namespace fs {

Attachment& Attachment::operator=(Attachment&& other) noexcept {
  if (this != &other) {
    reset();
    table_ = other.table_;
    node_ = std::move(other.node_);
  }
  return *this;
}

void Attachment::reset() {
  if (node_) table_->detach(node_);
  node_.reset();
}

Descriptor::Descriptor(Attachment a, int f, pid_t by, int64_t readahead_max_blocks)
    : node(std::move(a)),
      flags(f),
      publishes((f & O_ACCMODE) != O_RDONLY || (f & (O_TRUNC | O_CREAT))),
      opener(by),
      pattern(RemoteReader::kBlock, readahead_max_blocks) {}

std::shared_ptr<FileNode> NodeTable::find(const std::string& path) {
  threads::MutexLock lock(mutex_);
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : it->second;
}

Attachment NodeTable::attach(const std::string& path, const dbfs::FileInfo* on_server) {
  std::shared_ptr<FileNode> node;
  bool made = false;
  {
    threads::MutexLock lock(mutex_);
    auto& slot = nodes_[path];
    if (!slot) {
      slot = std::make_shared<FileNode>(path, on_server);
      made = true;
    }
    ++slot->open_count_;
    node = slot;
  }
  Attachment attached(this, node);
  if (on_server && !made) {
    threads::MutexLock lock(node->mutex);
    node->mirror(*on_server);
  }
  return attached;
}

Attachment NodeTable::attach_if_current(const std::string& path,
                                        const std::shared_ptr<FileNode>& node) {
  threads::MutexLock lock(mutex_);
  auto it = nodes_.find(path);
  if (it == nodes_.end() || it->second != node) return {};
  ++node->open_count_;
  return Attachment(this, node);
}

void NodeTable::detach(const std::shared_ptr<FileNode>& node) {
  {
    threads::MutexLock lock(mutex_);
    if (--node->open_count_ > 0) return;
    // By its path, or, when a rename has moved the node but not yet its key, by identity.
    auto it = nodes_.find(node->snapshot().info.path);
    if (it == nodes_.end() || it->second != node) {
      it = std::find_if(nodes_.begin(), nodes_.end(),
                        [&](const auto& entry) { return entry.second == node; });
    }
    if (it != nodes_.end()) nodes_.erase(it);
  }
  // Out of the table, so no one attaches it again; its lock is taken holding no shared one.
  threads::MutexLock node_lock(node->mutex);
  node->close_last(services_);
}

bool NodeTable::insert(const std::string& path, std::shared_ptr<FileNode> node) {
  threads::MutexLock lock(mutex_);
  return nodes_.try_emplace(path, std::move(node)).second;
}

std::shared_ptr<FileNode> NodeTable::forget(const std::string& path) {
  threads::MutexLock lock(mutex_);
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return nullptr;
  auto node = std::move(it->second);
  nodes_.erase(it);
  return node;
}

Attachment NodeTable::attach_existing(const std::string& path, bool* open) {
  threads::MutexLock lock(mutex_);
  auto it = nodes_.find(path);
  *open = false;
  if (it == nodes_.end()) return {};
  *open = it->second->open_count_ > 0;
  ++it->second->open_count_;
  return Attachment(this, it->second);
}

std::vector<std::shared_ptr<FileNode>> NodeTable::under(const std::string& path) {
  std::vector<std::shared_ptr<FileNode>> found;
  {
    threads::MutexLock lock(mutex_);
    for (const auto& [node_path, node] : nodes_) {
      if (dbfs::path::is_within(node_path, path)) found.push_back(node);
    }
    // Removed files still open: their name is gone, but the content they read under a hidden
    // name moves with its directory.
    for (const auto& [raw, file] : descriptors_) {
      FileNode::Shown shown = file->node->snapshot();
      if (shown.unlinked && !shown.retired_path.empty() &&
          dbfs::path::is_within(shown.retired_path, path)) {
        found.push_back(file->node.node());
      }
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

void NodeTable::rekey(const std::string& from, const std::string& to) {
  threads::MutexLock lock(mutex_);
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

std::vector<dbfs::FileInfo> NodeTable::local_children(const std::string& dir) {
  std::vector<dbfs::FileInfo> local;
  threads::MutexLock lock(mutex_);
  for (const auto& [node_path, node] : nodes_) {
    if (dbfs::path::parent(node_path) != dir || node_path == dir) continue;
    FileNode::Shown shown = node->snapshot();
    if (shown.local && !shown.unlinked) local.push_back(shown.info);
  }
  return local;
}

std::vector<std::shared_ptr<FileNode>> NodeTable::all() {
  std::vector<std::shared_ptr<FileNode>> nodes;
  threads::MutexLock lock(mutex_);
  for (const auto& [path, node] : nodes_) nodes.push_back(node);
  return nodes;
}

size_t NodeTable::size() {
  threads::MutexLock lock(mutex_);
  return nodes_.size();
}

void NodeTable::add_alias(const std::string& alias, std::shared_ptr<FileNode> node) {
  threads::MutexLock lock(mutex_);
  aliases_[alias] = std::move(node);
}

std::shared_ptr<FileNode> NodeTable::find_alias(const std::string& alias) {
  threads::MutexLock lock(mutex_);
  auto it = aliases_.find(alias);
  return it == aliases_.end() ? nullptr : it->second;
}

bool NodeTable::remove_alias(const std::string& alias) {
  threads::MutexLock lock(mutex_);
  return aliases_.erase(alias) > 0;
}

NodeTable::Handle NodeTable::open(Attachment node, int flags, pid_t opener,
                                  int64_t readahead_max_blocks) {
  auto file = std::make_unique<Descriptor>(std::move(node), flags, opener, readahead_max_blocks);
  threads::MutexLock lock(mutex_);
  if (file->publishes) ++file->node->writers_;
  auto* raw = file.get();
  descriptors_.emplace(raw, std::move(file));
  return reinterpret_cast<Handle>(raw);
}

std::unique_ptr<Descriptor> NodeTable::close(Handle fh, bool* last_writer) {
  auto* raw = &descriptor(fh);
  threads::MutexLock lock(mutex_);
  auto it = descriptors_.find(raw);
  if (it == descriptors_.end()) return nullptr;
  auto file = std::move(it->second);
  descriptors_.erase(it);
  *last_writer = file->publishes && --file->node->writers_ == 0;
  return file;
}

void NodeTable::close_all() {
  std::unordered_map<Descriptor*, std::unique_ptr<Descriptor>> open;
  {
    threads::MutexLock lock(mutex_);
    open.swap(descriptors_);
    aliases_.clear();
  }
  open.clear();  // their attachments detach, which takes the lock
}

}  // namespace fs
