#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dbfs/file_info.h"

namespace fs {

// A remote store, in the core's terms: the one interface the filesystem core talks to
// (docs/design.md, "The storage seam"). Paths are the store's absolute paths ("/a/b"). Every
// failure throws dbfs::ApiError, which current_errno() turns into an errno.
//
// DbfsStorage implements it over the DBFS API 2.0; the Files API of Unity Catalog Volumes is the
// second implementation, and StorageRouter picks one by path. What a store can and cannot do is
// stated in Capabilities, so the core chooses its way of working instead of guessing.
class Storage {
 public:
  struct Capabilities {
    int64_t max_read = 0;           // bytes one read() may ask for
    int64_t max_single_upload = 0;  // bytes put() takes in one call
    int64_t upload_block = 0;       // bytes one BlockUpload::append takes at most
    bool server_side_move = false;  // move() renames on the server, without copying
    bool streamed_upload = false;   // open_upload(): a file can go up block by block
  };

  // An upload built block by block; the file exists, complete, once close() returns.
  class BlockUpload {
   public:
    virtual ~BlockUpload() = default;
    virtual void append(std::string_view block) = 0;
    virtual void close() = 0;
  };

  // Fills `out` with `len` bytes of the content being uploaded, at `offset`.
  using ReadFn = std::function<void(int64_t offset, size_t len, std::string& out)>;

  virtual ~Storage() = default;

  // What the store holding `path` can do.
  virtual Capabilities capabilities(const std::string& path) const = 0;
  virtual dbfs::FileInfo stat(const std::string& path) = 0;
  // A directory's entries (any order); a file gives a one-element list holding that file.
  virtual std::vector<dbfs::FileInfo> list(const std::string& path) = 0;
  // As list, with one attempt and no retries: for a listing that only saves calls.
  virtual std::vector<dbfs::FileInfo> list_once(const std::string& path) = 0;
  // Up to `length` (<= max_read) bytes at `offset` into `out`, which has room for `length`;
  // returns the count (smaller at the end of the file). An answer holding more than `length`
  // throws before a byte is copied.
  virtual int64_t read(const std::string& path, int64_t offset, int64_t length, char* out) = 0;
  // The whole content, `size` (<= max_single_upload) bytes read through `read`, replacing what
  // `path` holds, in one call: a store may send it as it reads it.
  virtual void put(const std::string& path, int64_t size, const ReadFn& read) = 0;
  // Starts an upload to `path`, replacing what it holds; only if streamed_upload.
  virtual std::unique_ptr<BlockUpload> open_upload(const std::string& path) = 0;
  // Removes a file or an empty directory.
  virtual void remove(const std::string& path) = 0;
  // Makes a directory and its missing parents.
  virtual void mkdir(const std::string& path) = 0;
  // Renames a file or a directory; fails if `to` exists. Only if server_side_move.
  virtual void move(const std::string& from, const std::string& to) = 0;
};

}  // namespace fs
