#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>
#include <vector>

#include "emulator/unique_fd.h"

namespace emulator {

// The served folder. Every lookup walks a DBFS path one component at a time with
// openat(O_NOFOLLOW), so a symlink planted anywhere under the root is never followed and no
// path can lead outside it; the callers pass paths already normalised by dbfs::path.
class RootDir {
 public:
  // Creates the folder if it is missing; throws std::system_error if it cannot be opened.
  explicit RootDir(const std::string& root);

  int fd() const { return fd_.get(); }

  // The directory at DBFS path `dir`, as an O_PATH descriptor usable with *at() calls. Invalid,
  // with errno set, when a component is missing (ENOENT) or is a file or symlink (ENOTDIR).
  UniqueFd open_dir(std::string_view dir) const;
  // Like open_dir, but creates the missing components (mkdir -p).
  UniqueFd make_dirs(std::string_view dir) const;

 private:
  UniqueFd fd_;
};

// lstat of `name` in directory `dirfd`; false with errno set when it does not exist.
bool stat_entry(int dirfd, const std::string& name, struct stat& st);
int64_t mtime_ms(const struct stat& st);
// `name` in `dirfd` opened for reading its entries, without following a symlink.
UniqueFd open_for_listing(int dirfd, const std::string& name);
// The entry names of a directory opened for reading (which it closes), "." and ".." left out.
std::vector<std::string> entry_names(UniqueFd dir);

}  // namespace emulator
