#include "fuse/cache_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace fuse_adapter {

std::string prepare_cache_dir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) ::chmod(dir.c_str(), 0700);
  struct stat st;
  if (ec || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
      ::access(dir.c_str(), W_OK) != 0) {
    return "cache folder " + dir + " cannot be written (set cache_dir=)";
  }
  if (st.st_uid != ::geteuid()) {
    return "cache folder " + dir + " belongs to user " + std::to_string(st.st_uid) +
           ", not to the user mounting (" + std::to_string(::geteuid()) +
           "): its upload journals decide what is deleted on DBFS after a crash, so it must be "
           "yours (set cache_dir=)";
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    return "cache folder " + dir + " can be written by other users (mode " + mode +
           "): its upload journals decide what is deleted on DBFS after a crash, so no one else "
           "may write there (chmod go-w " + dir + ", or set cache_dir=)";
  }
  return {};
}

}  // namespace fuse_adapter
