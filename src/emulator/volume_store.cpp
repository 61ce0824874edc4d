#include "emulator/volume_store.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "dbfs/path.h"
#include "emulator/files_api_error.h"

namespace emulator::files {
namespace {

std::string parent_of(const VolumePath& path) { return dbfs::path::parent(path.path); }
std::string name_of(const VolumePath& path) { return path.segments.back(); }

// A failed lookup of a directory on `path`: missing, or a file or symlink in the way.
[[noreturn]] void throw_directory_lookup(const std::string& path, int err) {
  if (err == ENOENT || err == ENOTDIR || err == ELOOP) throw directory_not_found(path);
  if (err == ENAMETOOLONG) throw invalid("The path is too long: " + path);
  throw io_error(path, err);
}

}  // namespace

VolumeStore::VolumeStore(Store& store, VolumeOptions options)
    : options_(options),
      root_(store.root()),
      staging_(store.staging()),
      mu_(store.namespace_mutex()) {}

OpenedFile VolumeStore::open_file(const VolumePath& path) const {
  require_file_path(path);
  UniqueFd dir = root_.open_dir(parent_of(path));
  if (!dir) throw file_not_found(path.path);
  // O_NONBLOCK: a fifo planted under the root must not hang the reader before the type check.
  OpenedFile file{UniqueFd(::openat(dir.get(), name_of(path).c_str(),
                                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)),
                  {}};
  if (!file.fd) {
    if (errno == ENAMETOOLONG) throw invalid("The path is too long: " + path.path);
    throw file_not_found(path.path);
  }
  if (::fstat(file.fd.get(), &file.st) != 0) throw io_error(path.path, errno);
  if (!S_ISREG(file.st.st_mode)) throw file_not_found(path.path);
  return file;
}

void VolumeStore::check_file_writable(const VolumePath& path, bool overwrite) const {
  require_file_path(path);
  open_volume(path);
  UniqueFd dir = root_.open_dir(parent_of(path));
  if (!dir) {
    if (errno == ENOTDIR) throw already_exists(path.path);  // a file where a parent would be
    if (!options_.implicit_parents) throw directory_not_found(parent_of(path));
    return;
  }
  struct stat st;
  if (stat_entry(dir.get(), name_of(path), st) && (S_ISDIR(st.st_mode) || !overwrite))
    throw already_exists(path.path);
}

StagedFile VolumeStore::stage() {
  try {
    return staging_.create();
  } catch (const std::system_error& e) {
    throw io_error("staging", e.code().value());
  }
}

UniqueFd VolumeStore::parent_for_upload(const VolumePath& path) const {
  open_volume(path);
  std::string parent = parent_of(path);
  UniqueFd dir = options_.implicit_parents ? root_.make_dirs(parent) : root_.open_dir(parent);
  if (dir) return dir;
  if (errno == ENOTDIR) throw already_exists(path.path);
  if (errno == ENOENT) throw directory_not_found(parent);
  throw io_error(parent, errno);
}

void VolumeStore::place_file(const VolumePath& path, StagedFile& file, bool overwrite) {
  require_file_path(path);
  threads::MutexLock lock(mu_);
  UniqueFd dir = parent_for_upload(path);
  std::string name = name_of(path);
  struct stat st;
  if (stat_entry(dir.get(), name, st) && (S_ISDIR(st.st_mode) || !overwrite))
    throw already_exists(path.path);
  if (::renameat(file.dirfd(), file.name().c_str(), dir.get(), name.c_str()) != 0)
    throw io_error(path.path, errno);
  file.placed();
}

void VolumeStore::delete_file(const VolumePath& path) {
  require_file_path(path);
  threads::MutexLock lock(mu_);
  UniqueFd dir = root_.open_dir(parent_of(path));
  std::string name = name_of(path);
  struct stat st;
  if (!dir || !stat_entry(dir.get(), name, st) || S_ISDIR(st.st_mode))
    throw file_not_found(path.path);
  // unlinkat never follows a symlink: a planted link goes, its target stays.
  if (::unlinkat(dir.get(), name.c_str(), 0) != 0) {
    if (errno == ENOENT) throw file_not_found(path.path);
    throw io_error(path.path, errno);
  }
}

bool VolumeStore::is_directory(const VolumePath& path) const {
  return bool(root_.open_dir(path.path));
}

UniqueFd VolumeStore::open_volume(const VolumePath& path) const {
  UniqueFd volume = root_.open_dir(path.volume());
  if (!volume) throw_directory_lookup(path.volume(), errno);
  return volume;
}

VolumePage VolumeStore::list(const VolumePath& path, size_t limit, const std::string& after) const {
  UniqueFd dir = root_.open_dir(path.path);
  if (!dir) throw_directory_lookup(path.path, errno);
  UniqueFd readable = open_for_listing(dir.get(), ".");
  if (!readable) throw io_error(path.path, errno);
  std::vector<std::string> names = entry_names(std::move(readable));
  std::sort(names.begin(), names.end());
  VolumePage page;
  for (auto it = std::upper_bound(names.begin(), names.end(), after); it != names.end(); ++it) {
    struct stat st;
    if (!stat_entry(dir.get(), *it, st)) continue;  // removed meanwhile
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;  // symlinks are no part of it
    if (page.entries.size() == limit) {
      page.more = true;
      break;
    }
    bool is_dir = S_ISDIR(st.st_mode);
    page.entries.push_back({*it, is_dir, is_dir ? 0 : int64_t(st.st_size), mtime_ms(st)});
  }
  return page;
}

void VolumeStore::make_directories(const VolumePath& path) {
  threads::MutexLock lock(mu_);
  open_volume(path);
  if (root_.make_dirs(path.path)) return;
  if (errno == ENOTDIR) throw path_is_a_file(path.path);
  throw io_error(path.path, errno);
}

void VolumeStore::remove_directory(const VolumePath& path) {
  // Volumes are deleted in Databricks, not through the Files API.
  if (path.is_volume_root()) throw outside_volume(path.path);
  threads::MutexLock lock(mu_);
  UniqueFd dir = root_.open_dir(parent_of(path));
  std::string name = name_of(path);
  struct stat st;
  if (!dir || !stat_entry(dir.get(), name, st) || !S_ISDIR(st.st_mode))
    throw directory_not_found(path.path);
  if (::unlinkat(dir.get(), name.c_str(), AT_REMOVEDIR) == 0) return;
  if (errno == ENOTEMPTY || errno == EEXIST) throw directory_not_empty(path.path);
  if (errno == ENOENT) throw directory_not_found(path.path);
  throw io_error(path.path, errno);
}

}  // namespace emulator::files
