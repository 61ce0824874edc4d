#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "fs/storage.h"
#include "dbfs/file_info.h"

namespace fs {

class UploadJournal;

// Puts a whole file on DBFS: up to 1 MiB with one put; larger through create -> add-block of
// full 1 MiB blocks -> close on a hidden temporary name, a size check, and a move into place
// that replaces an old file without a moment when the name is empty.
// add-block has no offset, so after an ambiguous failure (the block may or may not have been
// appended) the upload restarts from create; it never guesses.
class Uploader {
 public:
  using ReadFn = Storage::ReadFn;

  explicit Uploader(Storage& storage, int max_attempts = 5, UploadJournal* journal = nullptr)
      : storage_(storage), attempts_(max_attempts), journal_(journal) {}

  // Throws dbfs::ApiError (or what `read` throws) when the file could not be put in place.
  dbfs::FileInfo upload(const std::string& path, int64_t size, const ReadFn& read);

  // Moves a complete temporary file to `path`, replacing what is there so that `path` holds the
  // old or the new content at every moment (move_replacing), and returns the file's attributes.
  // The journal, if any, is told.
  dbfs::FileInfo commit(const std::string& temp, const std::string& path, int64_t size);

 private:
  dbfs::FileInfo upload_blocks(const std::string& path, int64_t size, const ReadFn& read);

  Storage& storage_;
  int attempts_;
  UploadJournal* journal_;
};

// Appends `block`, which starts at `offset` of the temporary file `temp` being uploaded by
// `upload`. An append has no offset, so an ambiguous failure (no answer: the block may or may not have
// been appended) is settled by the file's size, where the server shows a file being written:
// offset + size(block) means it went through, offset means send it again. Anything else,
// including a server that shows nothing before close, rethrows: the upload must restart.
void append_block(Storage& storage, Storage::BlockUpload& upload, const std::string& temp,
                  int64_t offset, std::string_view block);

// Closes an upload; an ambiguous failure is left for the size check of commit().
void close_upload(Storage::BlockUpload& upload, const std::string& temp);

// Milliseconds since the epoch, for attributes the server did not send.
int64_t now_ms();

}  // namespace fs
