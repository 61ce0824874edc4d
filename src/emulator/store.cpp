#include "emulator/store.h"

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <optional>
#include <system_error>

#include "dbfs/path.h"
#include "emulator/errors.h"

namespace emulator {
namespace {

// A directory or a regular file; anything else (symlinks above all) is not part of DBFS.
std::optional<dbfs::FileInfo> describe(std::string path, const struct stat& st) {
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return std::nullopt;
  bool dir = S_ISDIR(st.st_mode);
  return dbfs::FileInfo{std::move(path), dir, dir ? 0 : int64_t(st.st_size), mtime_ms(st)};
}

// A failed lookup of `path`: a missing component, a file or a symlink in the way all mean the
// path does not exist.
[[noreturn]] void throw_lookup_error(std::string_view op, std::string_view path, int err) {
  if (err == ENOENT || err == ENOTDIR || err == ELOOP) throw errors::not_found(op, path);
  if (err == ENAMETOOLONG) throw errors::bad_path(op, path);
  throw errors::io_error(op, path, err);
}

}  // namespace

Store::Store(const std::string& root, StoreOptions options)
    : options_(std::move(options)),
      root_(root),
      staging_(root_.fd()),
      handles_(options_.handle_timeout) {}

std::string Store::normalize(std::string_view op, std::string_view path) const {
  auto p = dbfs::path::normalize(path);
  if (!p) throw errors::bad_path(op, path);
  // The staging folder lives under the root but is no part of DBFS.
  std::string_view first = std::string_view(*p).substr(1);
  first = first.substr(0, first.find('/'));
  if (first == StagingArea::kName) throw errors::bad_path(op, path);
  return *p;
}

dbfs::FileInfo Store::get_status(const std::string& path) {
  static constexpr std::string_view op = "get-status";
  return status(op, normalize(op, path));
}

dbfs::FileInfo Store::status(std::string_view op, const std::string& p) const {
  struct stat st;
  if (p == "/") {
    if (::fstat(root_.fd(), &st) != 0) throw errors::io_error(op, p, errno);
    return *describe(p, st);
  }
  UniqueFd dir = root_.open_dir(dbfs::path::parent(p));
  if (!dir) throw_lookup_error(op, p, errno);
  if (!stat_entry(dir.get(), std::string(dbfs::path::basename(p)), st))
    throw_lookup_error(op, p, errno);
  auto info = describe(p, st);
  if (!info) throw errors::not_found(op, p);
  return *info;
}

std::vector<dbfs::FileInfo> Store::list(const std::string& path) {
  static constexpr std::string_view op = "list";
  std::string p = normalize(op, path);
  UniqueFd dir = root_.open_dir(p);
  if (!dir) {
    if (errno == ENOTDIR) return {status(op, p)};  // a file lists as itself
    throw_lookup_error(op, p, errno);
  }
  UniqueFd readable = open_for_listing(dir.get(), ".");
  if (!readable) throw errors::io_error(op, p, errno);
  std::vector<dbfs::FileInfo> files;
  for (const std::string& name : entry_names(std::move(readable))) {
    if (p == "/" && name == StagingArea::kName) continue;
    struct stat st;
    if (!stat_entry(dir.get(), name, st)) continue;  // removed meanwhile
    auto info = describe(dbfs::path::join(p, name), st);
    if (!info) continue;
    files.push_back(std::move(*info));
    if (options_.list_limit > 0 && int64_t(files.size()) > options_.list_limit) {
      throw dbfs::ApiError::http(std::string(op), 504, "TEMPORARILY_UNAVAILABLE",
                                 "The service at /api/2.0/dbfs/list is taking too long to process "
                                 "your request. Please try again later or try a faster operation.");
    }
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return files;
}

int64_t Store::read(const std::string& path, int64_t offset, int64_t length, std::string& out) {
  static constexpr std::string_view op = "read";
  if (offset < 0) throw errors::invalid(op, "offset must be non-negative, got " + std::to_string(offset));
  if (length < 0) throw errors::invalid(op, "length must be non-negative, got " + std::to_string(length));
  if (length > kMaxBlock) {
    throw dbfs::ApiError::http(std::string(op), 400, "MAX_READ_SIZE_EXCEEDED",
                               "Cannot read more than " + std::to_string(kMaxBlock) +
                                   " bytes at once, got length " + std::to_string(length));
  }
  std::string p = normalize(op, path);
  if (p == "/") throw errors::invalid(op, "Cannot read a directory: /");
  UniqueFd dir = root_.open_dir(dbfs::path::parent(p));
  if (!dir) throw_lookup_error(op, p, errno);
  std::string name(dbfs::path::basename(p));
  // O_NONBLOCK: a fifo planted under the root must not hang the reader before the type check.
  UniqueFd file(::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!file) throw_lookup_error(op, p, errno);
  struct stat st;
  if (::fstat(file.get(), &st) != 0) throw errors::io_error(op, p, errno);
  if (S_ISDIR(st.st_mode)) throw errors::invalid(op, "Cannot read a directory: " + p);
  if (!S_ISREG(st.st_mode)) throw errors::not_found(op, p);
  if (offset > st.st_size) {
    throw errors::invalid(op, "offset " + std::to_string(offset) + " is past the end of " + p +
                                  " (" + std::to_string(st.st_size) + " bytes)");
  }
  out.resize(size_t(length));
  int64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(file.get(), out.data() + done, size_t(length - done), offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw errors::io_error(op, p, errno);
    if (n == 0) break;
    done += n;
  }
  out.resize(size_t(done));
  return done;
}

StagedFile Store::stage(std::string_view op) {
  try {
    return staging_.create();
  } catch (const std::system_error& e) {
    throw errors::io_error(op, "staging", e.code().value());
  }
}

void Store::put(const std::string& path, std::string_view contents, bool overwrite) {
  static constexpr std::string_view op = "put";
  if (int64_t(contents.size()) > kMaxBlock) throw errors::block_too_large(op, contents.size());
  std::string p = normalize(op, path);
  check_writable(op, p, overwrite);
  StagedFile file = stage(op);
  if (!file.append(contents)) throw errors::io_error(op, p, errno);
  threads::MutexLock lock(namespace_mu_);
  place(op, p, file, overwrite);
}

void Store::put_staged(const std::string& path, StagedFile& contents, bool overwrite) {
  static constexpr std::string_view op = "put";
  std::string p = normalize(op, path);
  threads::MutexLock lock(namespace_mu_);
  place(op, p, contents, overwrite);
}

void Store::check_writable(std::string_view op, const std::string& path, bool overwrite) const {
  if (path == "/") throw errors::already_exists(op, path);
  UniqueFd dir = root_.open_dir(dbfs::path::parent(path));
  if (!dir) {
    if (errno == ENOTDIR) throw errors::already_exists(op, path);  // a file at a parent prefix
    return;  // missing parents are created
  }
  struct stat st;
  if (stat_entry(dir.get(), std::string(dbfs::path::basename(path)), st) &&
      (S_ISDIR(st.st_mode) || !overwrite)) {
    throw errors::already_exists(op, path);
  }
}

void Store::place(std::string_view op, const std::string& path, StagedFile& file, bool overwrite) {
  check_writable(op, path, overwrite);
  UniqueFd dir = root_.make_dirs(dbfs::path::parent(path));
  if (!dir) {
    if (errno == ENOTDIR) throw errors::already_exists(op, path);
    throw errors::io_error(op, path, errno);
  }
  std::string name(dbfs::path::basename(path));
  if (::renameat(file.dirfd(), file.name().c_str(), dir.get(), name.c_str()) != 0)
    throw errors::io_error(op, path, errno);
  file.placed();
}

int64_t Store::create(const std::string& path, bool overwrite) {
  static constexpr std::string_view op = "create";
  std::string p = normalize(op, path);
  handles_.expire();
  check_writable(op, p, overwrite);
  StagedFile file = stage(op);
  if (options_.visible_at == VisibleAt::kCreate) {
    threads::MutexLock lock(namespace_mu_);
    place(op, p, file, overwrite);
  }
  return handles_.add(std::make_shared<WriteHandle>(std::move(p), overwrite, std::move(file)));
}

void Store::add_block(int64_t id, std::string_view data) {
  static constexpr std::string_view op = "add-block";
  if (int64_t(data.size()) > kMaxBlock) throw errors::block_too_large(op, data.size());
  auto handle = handles_.find(id);
  if (!handle) throw errors::missing_handle(op, id);
  threads::MutexLock lock(handle->mu);
  if (handle->finished) throw errors::missing_handle(op, id);
  if (!handle->file.append(data)) throw errors::io_error(op, handle->path, errno);
}

void Store::close(int64_t id) {
  static constexpr std::string_view op = "close";
  auto handle = handles_.take(id);
  if (!handle) throw errors::missing_handle(op, id);
  threads::MutexLock lock(handle->mu);
  handle->finished = true;
  if (options_.visible_at == VisibleAt::kClose) {
    threads::MutexLock ns_lock(namespace_mu_);
    place(op, handle->path, handle->file, handle->overwrite);
  }
}

void Store::delete_once(const std::string& path, bool recursive) {
  static constexpr std::string_view op = "delete";
  std::string p = normalize(op, path);
  if (p == "/") throw errors::invalid(op, "Cannot delete the root directory");
  threads::MutexLock lock(namespace_mu_);
  UniqueFd dir = root_.open_dir(dbfs::path::parent(p));
  if (!dir) return;  // a missing path is deleted already
  std::string name(dbfs::path::basename(p));
  struct stat st;
  if (!stat_entry(dir.get(), name, st)) return;
  if (!S_ISDIR(st.st_mode)) {
    // unlinkat never follows a symlink: a planted link goes, its target stays.
    if (::unlinkat(dir.get(), name.c_str(), 0) != 0 && errno != ENOENT)
      throw errors::io_error(op, p, errno);
    return;
  }
  if (!recursive) {
    if (::unlinkat(dir.get(), name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return;
    if (errno != ENOTEMPTY && errno != EEXIST) throw errors::io_error(op, p, errno);
    bool bad_request = options_.nonempty_delete_code == "BAD_REQUEST";
    throw dbfs::ApiError::http(
        std::string(op), 400, options_.nonempty_delete_code,
        bad_request ? "Directory is not empty. Use recursive delete or remove contents first."
                    : "Directory " + p + " is not empty; use recursive delete.");
  }
  int64_t limit = options_.partial_delete_after > 0 ? options_.partial_delete_after
                                                    : std::numeric_limits<int64_t>::max();
  int64_t budget = limit;
  if (!remove_tree(dir.get(), name, budget)) {
    throw dbfs::ApiError::http(std::string(op), 503, "PARTIAL_DELETE",
                               "The requested operation has deleted " + std::to_string(limit) +
                                   " files. There are more files remaining. You must make "
                                   "another request to delete more.");
  }
}

bool Store::remove_tree(int dirfd, const std::string& name, int64_t& budget) {
  static constexpr std::string_view op = "delete";
  UniqueFd dir = open_for_listing(dirfd, name);
  if (!dir) throw errors::io_error(op, name, errno);
  for (const std::string& child : entry_names(UniqueFd(::fcntl(dir.get(), F_DUPFD_CLOEXEC, 0)))) {
    struct stat st;
    if (!stat_entry(dir.get(), child, st)) continue;
    if (S_ISDIR(st.st_mode)) {
      if (!remove_tree(dir.get(), child, budget)) return false;
      continue;
    }
    if (budget == 0) return false;
    if (::unlinkat(dir.get(), child.c_str(), 0) != 0 && errno != ENOENT)
      throw errors::io_error(op, child, errno);
    --budget;
  }
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    throw errors::io_error(op, name, errno);
  return true;
}

void Store::remove(const std::string& path, bool recursive) {
  for (;;) {
    try {
      delete_once(path, recursive);
      return;
    } catch (const dbfs::ApiError& e) {
      if (e.error_code() != "PARTIAL_DELETE") throw;
    }
  }
}

void Store::mkdirs(const std::string& path) {
  static constexpr std::string_view op = "mkdirs";
  std::string p = normalize(op, path);
  threads::MutexLock lock(namespace_mu_);
  if (root_.make_dirs(p)) return;
  if (errno == ENOTDIR) throw errors::already_exists(op, p);  // a file on the path
  throw errors::io_error(op, p, errno);
}

void Store::move(const std::string& source, const std::string& destination) {
  static constexpr std::string_view op = "move";
  std::string from = normalize(op, source);
  std::string to = normalize(op, destination);
  if (from == "/") throw errors::invalid(op, "Cannot move the root directory");
  threads::MutexLock lock(namespace_mu_);
  UniqueFd from_dir = root_.open_dir(dbfs::path::parent(from));
  if (!from_dir) throw_lookup_error(op, from, errno);
  std::string from_name(dbfs::path::basename(from));
  struct stat st;
  if (!stat_entry(from_dir.get(), from_name, st) || !describe(from, st))
    throw errors::not_found(op, from);
  if (to == "/") throw errors::already_exists(op, to);
  UniqueFd to_dir = root_.open_dir(dbfs::path::parent(to));
  if (!to_dir) throw_lookup_error(op, dbfs::path::parent(to), errno);
  std::string to_name(dbfs::path::basename(to));
  if (stat_entry(to_dir.get(), to_name, st)) throw errors::already_exists(op, to);
  if (to.starts_with(from + "/"))
    throw errors::invalid(op, "Cannot move " + from + " into itself (" + to + ")");
  if (::renameat(from_dir.get(), from_name.c_str(), to_dir.get(), to_name.c_str()) != 0)
    throw errors::io_error(op, to, errno);
}

}  // namespace emulator
