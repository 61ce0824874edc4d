#include "emulator/root_dir.h"

#include <dirent.h>
#include <fcntl.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace emulator {
namespace {

constexpr int kDirFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// Calls `step(name)` for each component of a normalised path ("/" has none).
template <typename Step>
bool for_each_component(std::string_view path, Step step) {
  size_t i = 1;
  while (i < path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    if (!step(std::string(path.substr(i, end - i)))) return false;
    i = end + 1;
  }
  return true;
}

}  // namespace

RootDir::RootDir(const std::string& root) {
  std::error_code ignored;
  std::filesystem::create_directories(root, ignored);
  // The root itself may be a symlink: that is the operator's choice, not something planted.
  fd_ = UniqueFd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd_) throw std::system_error(errno, std::generic_category(), "cannot open root " + root);
}

UniqueFd RootDir::open_dir(std::string_view dir) const {
  UniqueFd current(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0));
  for_each_component(dir, [&](const std::string& name) {
    current = UniqueFd(::openat(current.get(), name.c_str(), kDirFlags));
    return bool(current);
  });
  // O_NOFOLLOW|O_DIRECTORY on a symlink fails with ENOTDIR, or ELOOP on some kernels.
  if (!current && errno == ELOOP) errno = ENOTDIR;
  return current;
}

UniqueFd RootDir::make_dirs(std::string_view dir) const {
  UniqueFd current(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0));
  for_each_component(dir, [&](const std::string& name) {
    int next = ::openat(current.get(), name.c_str(), kDirFlags);
    if (next < 0 && errno == ENOENT) {
      // Another creator may win the race between these two calls; both outcomes are a directory.
      if (::mkdirat(current.get(), name.c_str(), 0755) == 0 || errno == EEXIST)
        next = ::openat(current.get(), name.c_str(), kDirFlags);
    }
    current = UniqueFd(next);
    return bool(current);
  });
  if (!current && errno == ELOOP) errno = ENOTDIR;
  return current;
}

bool stat_entry(int dirfd, const std::string& name, struct stat& st) {
  return ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int64_t mtime_ms(const struct stat& st) {
  return int64_t(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

UniqueFd open_for_listing(int dirfd, const std::string& name) {
  return UniqueFd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

std::vector<std::string> entry_names(UniqueFd dir) {
  std::vector<std::string> names;
  DIR* d = ::fdopendir(dir.get());
  if (!d) return names;
  (void)dir.release();
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  return names;
}

}  // namespace emulator
