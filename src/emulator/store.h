#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/thread_annotations.h"
#include "dbfs/api.h"
#include "emulator/handle_table.h"
#include "emulator/root_dir.h"
#include "emulator/staging.h"

namespace emulator {

// When a file written with create/add-block/close becomes visible to readers: the contract
// leaves it open ([guess]), so the emulator offers both.
enum class VisibleAt {
  kCreate,  // an empty file from create on, growing with each add-block (Azure-like)
  kClose,   // nothing until close, then the whole file at once
};

struct StoreOptions {
  VisibleAt visible_at = VisibleAt::kCreate;
  // error_code of a non-recursive delete of a non-empty directory: "IO_ERROR" (classic) or
  // "BAD_REQUEST" (workspaces since late 2025).
  std::string nonempty_delete_code = "IO_ERROR";
  // A recursive delete removes at most this many files per call, then answers 503
  // PARTIAL_DELETE; 0 means no limit.
  int64_t partial_delete_after = 0;
  // list of a directory with more entries than this fails the way a real workspace's list times
  // out (504 TEMPORARILY_UNAVAILABLE); 0 means no limit.
  int64_t list_limit = 0;
  // A write handle idle for longer than this is gone (404 on add-block and close).
  std::chrono::milliseconds handle_timeout = std::chrono::seconds(600);
};

// DBFS semantics over a local folder: DBFS "/a/b" is ROOT/a/b, modification_time is the file's
// mtime in milliseconds. Every error is the contract's (docs/dbfs-api.md), thrown as
// dbfs::ApiError. Thread-safe: lookups and reads run in parallel; operations that check the
// namespace and then change it are serialised.
//
// Symlinks planted under the root are never followed: lookups treat them as missing, list skips
// them, delete removes the link itself.
class Store : public dbfs::Api {
 public:
  explicit Store(const std::string& root, StoreOptions options = {});

  dbfs::FileInfo get_status(const std::string& path) override;
  std::vector<dbfs::FileInfo> list(const std::string& path) override;
  int64_t read(const std::string& path, int64_t offset, int64_t length, std::string& out) override;
  void put(const std::string& path, std::string_view contents, bool overwrite) override
      EXCLUDES(namespace_mu_);
  int64_t create(const std::string& path, bool overwrite) override EXCLUDES(namespace_mu_);
  void add_block(int64_t handle, std::string_view data) override;
  void close(int64_t handle) override EXCLUDES(namespace_mu_);
  // Repeats delete_once while it answers PARTIAL_DELETE.
  void remove(const std::string& path, bool recursive) override EXCLUDES(namespace_mu_);
  void mkdirs(const std::string& path) override EXCLUDES(namespace_mu_);
  void move(const std::string& source, const std::string& destination) override
      EXCLUDES(namespace_mu_);

  // One call of the delete endpoint: with partial_delete_after set, a big recursive delete
  // throws 503 PARTIAL_DELETE after removing that many files; the caller calls again.
  void delete_once(const std::string& path, bool recursive) EXCLUDES(namespace_mu_);

  // A put whose contents arrive as a stream (multipart, up to 2 GiB): the server appends them to
  // a staged file, then hands it to put_staged, which places it like put.
  StagedFile stage_upload() { return stage("put"); }
  void put_staged(const std::string& path, StagedFile& contents, bool overwrite)
      EXCLUDES(namespace_mu_);

  // The Files API (volume_store.h) serves the same folder: it shares the tree, the staging area
  // and the lock that serialises changes to the tree with the DBFS side.
  const RootDir& root() const { return root_; }
  StagingArea& staging() { return staging_; }
  threads::Mutex& namespace_mutex() DBFS_TSA(lock_returned(namespace_mu_)) { return namespace_mu_; }

 private:
  // A new staged file, or 400 IO_ERROR.
  StagedFile stage(std::string_view op);
  // The FileInfo of `path` (normalised), or 404.
  dbfs::FileInfo status(std::string_view op, const std::string& path) const;
  // The normalised form of `path`, or 400 INVALID_PARAMETER_VALUE.
  std::string normalize(std::string_view op, std::string_view path) const;
  // Throws unless a file may be written at `path` (parents may be missing).
  void check_writable(std::string_view op, const std::string& path, bool overwrite) const;
  // Moves a staged file to `path`, creating its parents.
  void place(std::string_view op, const std::string& path, StagedFile& file, bool overwrite)
      REQUIRES(namespace_mu_);
  // Removes at most `budget` files of the tree `name` in `dirfd`; false if some are left.
  bool remove_tree(int dirfd, const std::string& name, int64_t& budget) REQUIRES(namespace_mu_);

  const StoreOptions options_;
  RootDir root_;
  StagingArea staging_;
  HandleTable handles_;
  // Serialises check-then-change sequences on the namespace (create, put, delete, mkdirs, move,
  // close); lookups and reads do not take it. What it guards is the folder's tree, not a member.
  // A close takes it with its handle's lock held, never the other way round.
  threads::Mutex namespace_mu_;
};

}  // namespace emulator
