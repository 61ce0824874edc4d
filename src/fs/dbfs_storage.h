#pragma once

#include "dbfs/api.h"
#include "fs/storage.h"

namespace fs {

// The DBFS API 2.0 as a Storage (docs/dbfs-api.md): 1 MiB reads, puts and blocks, a
// server-side move, uploads by create / add-block / close.
class DbfsStorage : public Storage {
 public:
  explicit DbfsStorage(dbfs::Api& api) : api_(api) {}

  Capabilities capabilities(const std::string& path) const override;
  dbfs::FileInfo stat(const std::string& path) override { return api_.get_status(path); }
  std::vector<dbfs::FileInfo> list(const std::string& path) override { return api_.list(path); }
  std::vector<dbfs::FileInfo> list_once(const std::string& path) override {
    return api_.list_once(path);
  }
  int64_t read(const std::string& path, int64_t offset, int64_t length, char* out) override {
    return api_.read_into(path, offset, length, out);
  }
  void put(const std::string& path, int64_t size, const ReadFn& read) override;
  std::unique_ptr<BlockUpload> open_upload(const std::string& path) override;
  void remove(const std::string& path) override { api_.remove(path, false); }
  void mkdir(const std::string& path) override { api_.mkdirs(path); }
  void move(const std::string& from, const std::string& to) override { api_.move(from, to); }

 private:
  dbfs::Api& api_;
};

}  // namespace fs
