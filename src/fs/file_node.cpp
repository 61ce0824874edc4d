#include "fs/file_node.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "dbfs/api_error.h"
#include "dbfs/path.h"
#include "fs/errno_guard.h"
#include "fs/metadata_cache.h"
#include "fs/remote_reader.h"
#include "fs/replace.h"
#include "fs/storage.h"
#include "fs/unsaved.h"
#include "fs/upload_journal.h"
#include "fs/uploader.h"

namespace fs {

FileNode::FileNode(std::string path, const dbfs::FileInfo* on_server)
    : path_(path), remote_(on_server ? *on_server : dbfs::FileInfo{path, false, 0, 0}),
      on_server_(on_server != nullptr) {
  remote_.path = path;
  shown_ = {remote_, !on_server_, false, {}};
}

dbfs::FileInfo FileNode::attributes() const {
  if (!staging_) return remote_;
  return dbfs::FileInfo{path_, false, staging_->size(), mtime_ms_};
}

void FileNode::publish_shown() {
  Shown now{attributes(), staging_ || !on_server_, unlinked_, retired_path_};
  now.info.path = path_;
  threads::MutexLock lock(shown_mutex_);
  shown_ = std::move(now);
}

FileNode::Shown FileNode::snapshot() {
  threads::MutexLock lock(shown_mutex_);
  return shown_;
}

void FileNode::mirror(const dbfs::FileInfo& info) {
  if (staging_) return;  // content of its own is kept
  remote_ = info;
  on_server_ = true;
  publish_shown();
}

bool FileNode::read_staged(char* buf, size_t size, int64_t offset, size_t* staged) {
  if (!staging_) return false;
  *staged = staging_->read(buf, size, offset);
  return true;
}

std::unique_ptr<Staging> FileNode::new_staging(NodeServices& services) const {
  return std::make_unique<Staging>(services.cache_dir, services.staging_memory_bytes,
                                   &services.staging_memory);
}

void FileNode::load(NodeServices& services) {
  if (staging_) return;
  auto staging = new_staging(services);
  if (on_server_) {
    // The store writes only whole files, so a change to part of one starts from all of it, as
    // the store has it now: another machine may have changed it since it was looked up, and
    // the bytes written here must land on what is there, not on a stale version.
    dbfs::FileInfo info;
    try {
      info = services.storage.stat(remote_.path);
      if (!unlinked_) services.metadata.put(info);
    } catch (const dbfs::ApiError& e) {
      if (!e.is_not_found()) throw;
      info = dbfs::FileInfo{remote_.path, false, 0, now_ms()};  // removed elsewhere
    }
    if (info.is_dir) throw std::system_error(EISDIR, std::generic_category(), path_);
    services.reader.download(info, *staging);
    remote_ = info;
    mtime_ms_ = info.modification_time;
  }
  staging_ = std::move(staging);
  content_ = Content::kStaged;
  publish_shown();
}

void FileNode::changed() {
  dirty_ = true;
  ++version_;
  mtime_ms_ = now_ms();
  publish_shown();
}

void FileNode::truncate(int64_t size, NodeServices& services) {
  if (size == 0) {
    // Fresh content: nothing to fetch, and a writer starting from here can stream.
    give_up_stream(false);
    stream_frontier_ = 0;
    staging_ = new_staging(services);
    content_ = Content::kFresh;
    write_error_ = 0;
  } else {
    load(services);
    staging_->truncate(size);
    if (stream_ && size < stream_frontier_) give_up_stream(false);
  }
  changed();
}

void FileNode::write(const char* buf, size_t size, int64_t offset, bool append,
                     NodeServices& services) {
  load(services);
  if (append) offset = staging_->size();
  // Rewriting bytes already sent: the stream cannot take that back.
  if (stream_ && offset < stream_frontier_) give_up_stream(false);
  try {
    staging_->write(buf, size, offset);
  } catch (const std::system_error& e) {
    // Part of it may be staged: the content is neither the old one nor what was written.
    give_up_stream(false);
    content_ = Content::kBroken;
    write_error_ = e.code().value() ? e.code().value() : EIO;
    dirty_ = true;
    throw;
  }
  changed();
  stream_blocks(services);
}

int FileNode::publish(NodeServices& services) {
  ++services.uploads.in_flight;
  struct Done {
    std::atomic<uint64_t>& n;
    ~Done() { --n; }
  } done{services.uploads.in_flight};
  published_version_ = version_;  // whatever the outcome, the caller reports it
  if (content_ == Content::kBroken) {
    spdlog::error("{}: not uploaded, a write to it failed ({}); the store keeps what it had",
                  path_, std::strerror(write_error_));
    return -write_error_;
  }
  try {
    upload(services);
    ++services.uploads.done;
    return 0;
  } catch (...) {
    ++services.uploads.failed;
    return current_errno("upload", path_);
  }
}

void FileNode::upload(NodeServices& services) {
  std::optional<dbfs::FileInfo> info;
  if (stream_) info = finish_stream();
  if (!info) {
    // The uploader reads ahead on a thread of its own while this one, holding the node's lock,
    // waits for it: the staging cannot change meanwhile.
    const Staging* staging = staging_.get();
    auto read = [staging](int64_t off, size_t len, std::string& out) {
      staging->read(off, len, out);
    };
    info = Uploader(services.storage, services.upload_attempts, &services.journal)
               .upload(path_, staging->size(), read);
  }
  dirty_ = false;
  on_server_ = true;
  remote_ = *info;
  mtime_ms_ = info->modification_time;
  publish_shown();
  services.metadata.put(*info);
  services.reader.forget(path_);
}

void FileNode::publish_unreported(NodeServices& services) {
  if (!needs_upload() || content_ == Content::kBroken || version_ == published_version_) return;
  if (publish(services) == 0) {
    spdlog::info("{}: uploaded at release: changes no close had published (writes of a process "
                 "that inherited the descriptor, or mmap pages written back after close)", path_);
    return;
  }
  std::string kept = keep_unsaved(services.cache_dir, path_, *staging_);
  spdlog::error("{}: changes made after its last close could not be uploaded; {}", path_,
                kept.empty() ? "they are lost" : "they are kept in " + kept);
}

void FileNode::unlink(const std::string& retired_path) {
  unlinked_ = true;
  dirty_ = false;
  give_up_stream(false);
  if (!retired_path.empty()) {
    retired_path_ = retired_path;
    remote_.path = retired_path;
  }
  publish_shown();
}

void FileNode::relink(Storage& storage, UploadJournal& journal) {
  if (!retired_path_.empty()) {
    try {
      storage.move(retired_path_, path_);
    } catch (...) {
      // Not deleted at the last close any more: the next mount's recovery moves it back.
      journal.set_aside(retired_path_, path_);
      retired_path_.clear();
      publish_shown();
      throw;
    }
    journal.end(retired_path_);
    retired_path_.clear();
    remote_.path = path_;
  } else if (staging_) {
    dirty_ = true;
  }
  unlinked_ = false;
  publish_shown();
}

void FileNode::moved(const std::string& from, const std::string& to, UploadJournal& journal) {
  auto moved = [&](const std::string& path) {
    return dbfs::path::is_within(path, from) ? to + path.substr(from.size()) : path;
  };
  if (!unlinked_) path_ = moved(path_);
  if (std::string retired = moved(retired_path_); retired != retired_path_) {
    journal.retire(retired);  // the content a removed file's descriptors read moved with it
    journal.end(retired_path_);
    retired_path_ = retired;
  }
  remote_.path = retired_path_.empty() ? path_ : retired_path_;
  publish_shown();
}

void FileNode::discard_retired(NodeServices& services) {
  if (retired_path_.empty()) return;
  discard_hidden(services.storage, &services.journal, retired_path_);
  retired_path_.clear();
}

void FileNode::close_last(NodeServices& services) {
  if (needs_upload()) {
    // Its close was told, and returned the error.
    spdlog::error("{}: discarding {} bytes that could not be uploaded", path_,
                  staging_ ? staging_->size() : 0);
  }
  give_up_stream(false);
  discard_retired(services);
}

void FileNode::keep_at_unmount(NodeServices& services) {
  if (needs_upload() && content_ != Content::kBroken && staging_) {
    std::string kept = keep_unsaved(services.cache_dir, path_, *staging_);
    spdlog::error("{}: unmounted with {} bytes never uploaded (the file was not closed); {}",
                  path_, staging_->size(),
                  kept.empty() ? "they are lost" : "they are kept in " + kept);
    dirty_ = false;
  }
  give_up_stream(false);
  discard_retired(services);
}

}  // namespace fs
