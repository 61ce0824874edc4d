#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "dbfs/api_error.h"
#include "dbfs/file_info.h"

namespace dbfs {

// The DBFS REST API 2.0, one method per endpoint (docs/dbfs-api.md). Every failure throws
// ApiError. Paths are absolute DBFS paths ("/a/b"); implementations accept a "dbfs:" prefix.
//
// Implemented by HttpApi (the real client, over libcurl) and by emulator::Store (the same
// semantics in-process, so the filesystem core can be tested without a socket).
class Api {
 public:
  static constexpr int64_t kMaxBlock = 1 << 20;  // read length, put contents and add-block data

  virtual ~Api() = default;

  virtual FileInfo get_status(const std::string& path) = 0;
  // A directory's entries (any order); a file gives a one-element list holding that file.
  virtual std::vector<FileInfo> list(const std::string& path) = 0;
  // As list, with one attempt and no retries: for a listing that only saves calls, whose caller
  // has another way (get-status) when it fails.
  virtual std::vector<FileInfo> list_once(const std::string& path) { return list(path); }
  // Reads up to `length` (<= kMaxBlock) bytes at `offset` into `out`, replacing its contents.
  // Returns the number of bytes read (smaller than `length` at EOF).
  virtual int64_t read(const std::string& path, int64_t offset, int64_t length,
                       std::string& out) = 0;
  // As read, into `out`, which has room for `length` bytes: an answer holding more fails
  // (ApiError) before any byte is copied. This default reads into a string and copies; HttpApi
  // decodes the answer straight into `out`.
  virtual int64_t read_into(const std::string& path, int64_t offset, int64_t length, char* out) {
    std::string data;
    int64_t n = read(path, offset, length, data);
    if (n > length || static_cast<int64_t>(data.size()) != n) {
      throw ApiError::protocol("read", 200,
                               "answered " + std::to_string(data.size()) + " bytes for a read of " +
                                   std::to_string(length));
    }
    if (n > 0) std::memcpy(out, data.data(), static_cast<size_t>(n));
    return n;
  }
  virtual void put(const std::string& path, std::string_view contents, bool overwrite) = 0;
  virtual int64_t create(const std::string& path, bool overwrite) = 0;
  virtual void add_block(int64_t handle, std::string_view data) = 0;
  virtual void close(int64_t handle) = 0;
  // The "delete" endpoint. A recursive delete answered with PARTIAL_DELETE is repeated until done.
  virtual void remove(const std::string& path, bool recursive) = 0;
  virtual void mkdirs(const std::string& path) = 0;
  virtual void move(const std::string& source, const std::string& destination) = 0;
};

}  // namespace dbfs
