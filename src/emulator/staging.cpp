#include "emulator/staging.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <system_error>

namespace emulator {

StagedFile::StagedFile(int staging_dirfd, std::string name, UniqueFd fd)
    : dirfd_(staging_dirfd), name_(std::move(name)), fd_(std::move(fd)) {}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : dirfd_(other.dirfd_),
      name_(std::exchange(other.name_, {})),
      fd_(std::move(other.fd_)),
      size_(other.size_) {}

StagedFile::~StagedFile() {
  if (!name_.empty()) ::unlinkat(dirfd_, name_.c_str(), 0);
}

bool StagedFile::append(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(size_t(n));
    size_ += n;
  }
  return true;
}

StagingArea::StagingArea(int root_fd) {
  std::string name(kName);
  if (::mkdirat(root_fd, name.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::system_error(errno, std::generic_category(), "cannot create " + name);
  dir_ = UniqueFd(::openat(root_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_) throw std::system_error(errno, std::generic_category(), "cannot open " + name);
  // fdopendir takes ownership of its descriptor, so it gets a duplicate.
  if (DIR* d = ::fdopendir(::fcntl(dir_.get(), F_DUPFD_CLOEXEC, 0))) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ::unlinkat(dir_.get(), e->d_name, 0);
    }
    ::closedir(d);
  }
}

StagedFile StagingArea::create() {
  for (;;) {
    std::string name = "upload-" + std::to_string(::getpid()) + "-" + std::to_string(next_++);
    int fd = ::openat(dir_.get(), name.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) return StagedFile(dir_.get(), std::move(name), UniqueFd(fd));
    if (errno != EEXIST) throw std::system_error(errno, std::generic_category(), "staging");
  }
}

}  // namespace emulator
