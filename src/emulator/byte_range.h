#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace emulator::files {

// The bytes a GET answers: [offset, offset + length) of the file.
struct ByteRange {
  int64_t offset = 0;
  int64_t length = 0;
};

// The one range of a Range header ("bytes=a-b" inclusive, "bytes=a-", "bytes=-n") for a file of
// `size` bytes, with its end cut to the end of the file. nullopt when the header asks for no
// single range this server serves (several ranges, another unit): the whole file is answered,
// as RFC 9110 lets a server ignore Range. Throws 416 (FilesApiError) when the range starts at or
// past the end, or is an empty suffix.
std::optional<ByteRange> parse_range(std::string_view header, int64_t size);

}  // namespace emulator::files
