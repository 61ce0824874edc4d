#include "fs/dbfs_storage.h"

namespace fs {
namespace {

// An upload handle of the create / add-block / close endpoints.
class DbfsBlockUpload : public Storage::BlockUpload {
 public:
  DbfsBlockUpload(dbfs::Api& api, int64_t handle) : api_(api), handle_(handle) {}
  void append(std::string_view block) override { api_.add_block(handle_, block); }
  void close() override { api_.close(handle_); }

 private:
  dbfs::Api& api_;
  int64_t handle_;
};

}  // namespace

Storage::Capabilities DbfsStorage::capabilities(const std::string&) const {
  return Capabilities{.max_read = dbfs::Api::kMaxBlock,
                      .max_single_upload = dbfs::Api::kMaxBlock,
                      .upload_block = dbfs::Api::kMaxBlock,
                      .server_side_move = true,
                      .streamed_upload = true};
}

void DbfsStorage::put(const std::string& path, int64_t size, const ReadFn& read) {
  std::string contents;  // at most 1 MiB: the put endpoint takes it in one JSON body
  read(0, size_t(size), contents);
  api_.put(path, contents, true);
}

std::unique_ptr<Storage::BlockUpload> DbfsStorage::open_upload(const std::string& path) {
  return std::make_unique<DbfsBlockUpload>(api_, api_.create(path, true));
}

}  // namespace fs
