#include "fs/staging.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace fs {
namespace {

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int open_anonymous(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  // Filesystems without O_TMPFILE: a named file, unlinked at once.
  std::string name = dir + "/staging.XXXXXX";
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) fail("staging file");
  ::unlink(name.c_str());
  return fd;
}

}  // namespace

Staging::Staging(std::string spill_dir, size_t memory_limit, MemoryBudget* budget)
    : spill_dir_(std::move(spill_dir)), memory_limit_(memory_limit), budget_(budget) {}

Staging::~Staging() {
  if (fd_ >= 0) ::close(fd_);
  if (budget_) budget_->give_back(charged_);
}

bool Staging::grow_memory(size_t size) {
  if (size > memory_limit_) return false;
  if (size <= memory_.size()) {
    memory_.resize(size);
    return true;
  }
  // Charged by capacity, which is what the process holds: reserve exactly, not by doubling.
  size_t capacity = std::max(memory_.capacity(), std::min(memory_limit_, std::max(size, 2 * memory_.size())));
  if (budget_ && capacity > charged_ && !budget_->try_take(capacity - charged_)) return false;
  if (budget_) charged_ = std::max(charged_, capacity);
  memory_.reserve(capacity);
  memory_.resize(size);
  return true;
}


void Staging::spill() {
  int fd = open_anonymous(spill_dir_);
  size_t done = 0;
  while (done < memory_.size()) {
    ssize_t n = ::pwrite(fd, memory_.data() + done, memory_.size() - done, off_t(done));
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      fail("staging spill");
    }
    done += size_t(n);
  }
  if (::ftruncate(fd, size_) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    fail("staging spill");
  }
  fd_ = fd;
  std::string().swap(memory_);
  if (budget_) budget_->give_back(charged_);
  charged_ = 0;
}

void Staging::write(const char* data, size_t len, int64_t offset) {
  int64_t end = offset + int64_t(len);
  if (fd_ < 0 && size_t(end) > memory_.size() && !grow_memory(size_t(end))) spill();
  if (fd_ < 0) {
    std::memcpy(memory_.data() + offset, data, len);
  } else {
    size_t done = 0;
    while (done < len) {
      ssize_t n = ::pwrite(fd_, data + done, len - done, off_t(offset + int64_t(done)));
      if (n < 0) fail("staging write");
      done += size_t(n);
    }
  }
  size_ = std::max(size_, end);
}

size_t Staging::read(char* buf, size_t len, int64_t offset) const {
  if (offset >= size_) return 0;
  len = size_t(std::min<int64_t>(int64_t(len), size_ - offset));
  if (fd_ < 0) {
    std::memcpy(buf, memory_.data() + offset, len);
    return len;
  }
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd_, buf + done, len - done, off_t(offset + int64_t(done)));
    if (n < 0) fail("staging read");
    if (n == 0) {  // a hole at the end of the spill file
      std::memset(buf + done, 0, len - done);
      break;
    }
    done += size_t(n);
  }
  return len;
}

void Staging::read(int64_t offset, size_t len, std::string& out) const {
  out.resize(len);
  out.resize(read(out.data(), len, offset));
}

void Staging::uncache_before(int64_t offset) {
  if (fd_ < 0 || offset <= writeback_started_) return;
  // Errors are ignored: this changes only where the bytes are kept, never what they are.
  ::sync_file_range(fd_, writeback_started_, offset - writeback_started_, SYNC_FILE_RANGE_WRITE);
  writeback_started_ = offset;
  // Pages still being written are skipped by the kernel (and stay until the file is closed);
  // a few blocks back they are on disk.
  constexpr int64_t kLag = 8 << 20;
  if (int64_t written = writeback_started_ - kLag; written > uncached_) {
    ::posix_fadvise(fd_, uncached_, written - uncached_, POSIX_FADV_DONTNEED);
    uncached_ = written;
  }
}

void Staging::truncate(int64_t size) {
  if (fd_ < 0 && !grow_memory(size_t(size))) spill();
  if (fd_ >= 0 && ::ftruncate(fd_, size) != 0) {
    fail("staging truncate");
  }
  size_ = size;
}

}  // namespace fs
