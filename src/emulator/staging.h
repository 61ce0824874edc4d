#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "emulator/unique_fd.h"

namespace emulator {

// A file being written where no DBFS reader can see it: put bodies and, with --visible-at close,
// write streams. It is renamed into place when complete (same filesystem, so atomic), and
// removed if it never is.
class StagedFile {
 public:
  StagedFile(int staging_dirfd, std::string name, UniqueFd fd);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  ~StagedFile();

  int fd() const { return fd_.get(); }
  int dirfd() const { return dirfd_; }
  const std::string& name() const { return name_; }
  int64_t size() const { return size_; }

  // Appends all of `data`; false with errno set on a storage failure.
  bool append(std::string_view data);
  // The file has been renamed away: nothing left to remove.
  void placed() { name_.clear(); }

 private:
  int dirfd_;
  std::string name_;
  UniqueFd fd_;
  int64_t size_ = 0;
};

// The hidden folder holding staged files: ROOT/.dbfs-emulator-staging, on the root's own
// filesystem so a rename places a file. The Store keeps that name out of the DBFS namespace.
// Leftovers of an earlier run that was killed are removed at startup.
class StagingArea {
 public:
  static constexpr std::string_view kName = ".dbfs-emulator-staging";

  explicit StagingArea(int root_fd);  // throws std::system_error
  StagedFile create();                // throws std::system_error

 private:
  UniqueFd dir_;
  std::atomic<uint64_t> next_{0};
};

}  // namespace emulator
