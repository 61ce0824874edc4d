#pragma once

#include <cstdint>
#include <string>

#include "fs/storage.h"

namespace fs {

// Reads exactly `length` bytes at `offset` of the file at `path` into `out`, in calls of at most
// the store's largest read: the caller knows the file holds them. An answer with fewer bytes before
// that end is asked again for the rest, a few times; then it throws dbfs::ApiError (EIO), never
// leaving a short result that would pass for the file's end. A file that really became shorter
// (changed elsewhere since it was looked up) fails the same way.
void read_exactly(Storage& storage, const std::string& path, int64_t offset, int64_t length,
                  char* out);

}  // namespace fs
