#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "dbfs/api.h"
#include "dbfs/file_info.h"

namespace fs {

// Puts a whole file on DBFS: up to 1 MiB with one put; larger through create -> add-block of
// full 1 MiB blocks -> close on a hidden temporary name, a size check, and a move into place.
// add-block has no offset, so after an ambiguous failure (the block may or may not have been
// appended) the upload restarts from create; it never guesses.
class Uploader {
 public:
  // Fills `out` with `len` bytes of the file at `offset`.
  using ReadFn = std::function<void(int64_t offset, size_t len, std::string& out)>;

  explicit Uploader(dbfs::Api& api, int max_attempts = 3) : api_(api), attempts_(max_attempts) {}

  // Throws dbfs::ApiError (or what `read` throws) when the file could not be put in place.
  dbfs::FileInfo upload(const std::string& path, int64_t size, const ReadFn& read);

  // Moves a complete temporary file to `path`, replacing what is there (DBFS has no replace:
  // delete, then move) and returns the file's attributes.
  dbfs::FileInfo commit(const std::string& temp, const std::string& path, int64_t size);

 private:
  dbfs::FileInfo upload_blocks(const std::string& path, int64_t size, const ReadFn& read);

  dbfs::Api& api_;
  int attempts_;
};

// Milliseconds since the epoch, for attributes the server did not send.
int64_t now_ms();

}  // namespace fs
