#include "fs/block_bytes.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace fs {

BlockBytes::BlockBytes(size_t capacity)
    : data_(static_cast<char*>(std::malloc(capacity > 0 ? capacity : 1))), size_(capacity) {
  if (!data_) throw std::bad_alloc();
}

BlockBytes BlockBytes::copy_of(std::string_view bytes) {
  BlockBytes copy(bytes.size());
  if (!bytes.empty()) std::memcpy(copy.data_, bytes.data(), bytes.size());
  return copy;
}

BlockBytes::BlockBytes(BlockBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

BlockBytes& BlockBytes::operator=(BlockBytes&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

BlockBytes::~BlockBytes() { std::free(data_); }

char* BlockBytes::release() {
  size_ = 0;
  return std::exchange(data_, nullptr);
}

}  // namespace fs
