#pragma once

#include <cstddef>
#include <string_view>

namespace fs {

// A block's bytes, in memory from malloc. libfuse frees the buffer of a read reply with free(),
// so a block that a read covers whole can be handed to the kernel instead of copied
// (BlockCache::take), and the reply buffer of any other read is one of these too.
class BlockBytes {
 public:
  BlockBytes() = default;
  // Room for `capacity` bytes, not initialised; size() is `capacity` until set_size. Throws
  // std::bad_alloc.
  explicit BlockBytes(size_t capacity);
  static BlockBytes copy_of(std::string_view bytes);
  BlockBytes(BlockBytes&& other) noexcept;
  BlockBytes& operator=(BlockBytes&& other) noexcept;
  BlockBytes(const BlockBytes&) = delete;
  BlockBytes& operator=(const BlockBytes&) = delete;
  ~BlockBytes();

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  std::string_view view() const { return {data_, size_}; }
  void set_size(size_t size) { size_ = size; }  // at most the capacity it was made with
  // Gives the memory away: the caller frees it with free().
  char* release();

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace fs
