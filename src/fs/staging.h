#pragma once

#include <cstdint>
#include <string>

namespace fs {

// The bytes of one file being written: in memory while small, then in an unlinked file in the
// cache directory, so memory stays bounded whatever the file's size. Holds every byte until the
// upload is committed. Not thread-safe: the file's node lock guards it. Disk errors throw
// std::system_error.
class Staging {
 public:
  Staging(std::string spill_dir, size_t memory_limit);
  ~Staging();
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  int64_t size() const { return size_; }
  void write(const char* data, size_t len, int64_t offset);
  // Reads up to `len` bytes at `offset`; holes read as zeros. Returns the count read.
  size_t read(char* buf, size_t len, int64_t offset) const;
  void read(int64_t offset, size_t len, std::string& out) const;
  void truncate(int64_t size);
  bool spilled() const { return fd_ >= 0; }

 private:
  void spill();

  std::string spill_dir_;
  size_t memory_limit_;
  std::string memory_;
  int fd_ = -1;
  int64_t size_ = 0;
};

}  // namespace fs
