#pragma once

#include "fs/storage.h"

namespace fs {

// The one place that decides which store holds a path: `/Volumes` and everything below it is
// Unity Catalog's (the Files API), every other path is the DBFS root's, as the Databricks CLI
// does for dbfs:/Volumes/... Without a Volumes store, every path goes to DBFS. A move between
// the two stores fails with EXDEV, so mv(1) copies instead.
class StorageRouter : public Storage {
 public:
  explicit StorageRouter(Storage& dbfs, Storage* volumes = nullptr)
      : dbfs_(dbfs), volumes_(volumes) {}

  static bool in_volumes(const std::string& path);
  Storage& store_for(const std::string& path) const;

  Capabilities capabilities(const std::string& path) const override {
    return store_for(path).capabilities(path);
  }
  dbfs::FileInfo stat(const std::string& path) override { return store_for(path).stat(path); }
  std::vector<dbfs::FileInfo> list(const std::string& path) override {
    return store_for(path).list(path);
  }
  std::vector<dbfs::FileInfo> list_once(const std::string& path) override {
    return store_for(path).list_once(path);
  }
  int64_t read(const std::string& path, int64_t offset, int64_t length, char* out) override {
    return store_for(path).read(path, offset, length, out);
  }
  void put(const std::string& path, int64_t size, const ReadFn& read) override {
    store_for(path).put(path, size, read);
  }
  std::unique_ptr<BlockUpload> open_upload(const std::string& path) override {
    return store_for(path).open_upload(path);
  }
  void remove(const std::string& path) override { store_for(path).remove(path); }
  void mkdir(const std::string& path) override { store_for(path).mkdir(path); }
  void move(const std::string& from, const std::string& to) override;

 private:
  Storage& dbfs_;
  Storage* volumes_;
};

}  // namespace fs
