#pragma once

#include <cstdint>
#include <string>

namespace dbfs {

// One entry as DBFS describes it (get-status, list). Paths are absolute, without "dbfs:".
struct FileInfo {
  std::string path;
  bool is_dir = false;
  int64_t file_size = 0;          // 0 for directories
  int64_t modification_time = 0;  // milliseconds since the epoch

  bool operator==(const FileInfo&) const = default;
};

}  // namespace dbfs
