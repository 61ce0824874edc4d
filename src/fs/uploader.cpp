#include "fs/uploader.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <future>

#include "dbfs/api_error.h"
#include "fs/replace.h"
#include "fs/upload_journal.h"
#include "fs/upload_names.h"

namespace fs {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void append_block(Storage& storage, Storage::BlockUpload& upload, const std::string& temp,
                  int64_t offset, std::string_view block) {
  constexpr int kMaxResends = 5;
  for (int resends = 0;; ++resends) {
    try {
      upload.append(block);
      return;
    } catch (const dbfs::ApiError& e) {
      if (!e.ambiguous() || resends >= kMaxResends) throw;
      int64_t size;
      try {
        size = storage.stat(temp).file_size;
      } catch (const dbfs::ApiError&) {
        throw e;
      }
      if (size == offset + int64_t(block.size())) return;
      if (size != offset) throw;
      spdlog::info("add-block to {} was lost before it applied; sending it again", temp);
    }
  }
}

void close_upload(Storage::BlockUpload& upload, const std::string& temp) {
  try {
    upload.close();
  } catch (const dbfs::ApiError& e) {
    // A close whose answer was lost may have gone through: commit's size check decides.
    if (!e.ambiguous()) throw;
    spdlog::info("close of the upload to {} got no answer; checking the file instead", temp);
  }
}

dbfs::FileInfo Uploader::upload(const std::string& path, int64_t size, const ReadFn& read) {
  if (size <= storage_.capabilities(path).max_single_upload) {
    storage_.put(path, size, read);
    // No get-status: the put succeeded, so the size is known; the server's mtime comes with
    // the next listing.
    return dbfs::FileInfo{path, false, size, now_ms()};
  }
  for (int attempt = 1;; ++attempt) {
    try {
      return upload_blocks(path, size, read);
    } catch (const dbfs::ApiError& e) {
      // Ambiguous failures and lost handles leave the temporary file in an unknown state;
      // anything else (permissions, a missing directory) will not get better by trying again.
      bool restart = e.ambiguous() || e.is_not_found() || e.is_retryable() ||
                     e.kind() == dbfs::ApiError::Kind::kProtocol;
      if (!restart || attempt >= attempts_) throw;
      spdlog::warn("upload of {} restarts from create after: {}", path, e.what());
    }
  }
}

dbfs::FileInfo Uploader::upload_blocks(const std::string& path, int64_t size, const ReadFn& read) {
  std::string temp = upload_names::temporary_for(path);
  if (journal_) journal_->begin(temp);
  try {
    const int64_t block_size = storage_.capabilities(path).upload_block;
    auto upload = storage_.open_upload(temp);
    auto length_at = [&](int64_t offset) {
      return size_t(std::min<int64_t>(block_size, size - offset));
    };
    std::string block, next;
    read(0, length_at(0), block);
    for (int64_t offset = 0; offset < size; offset += block_size) {
      // The next block is read while this one is on the wire.
      int64_t next_offset = offset + block_size;
      std::future<void> reading;
      if (next_offset < size) {
        reading = std::async(std::launch::async, [&] { read(next_offset, length_at(next_offset), next); });
      }
      try {
        append_block(storage_, *upload, temp, offset, block);
      } catch (...) {
        if (reading.valid()) reading.wait();
        throw;
      }
      if (reading.valid()) reading.get();
      std::swap(block, next);
    }
    close_upload(*upload, temp);
    return commit(temp, path, size);
  } catch (...) {
    discard_hidden(storage_, journal_, temp);
    throw;
  }
}

dbfs::FileInfo Uploader::commit(const std::string& temp, const std::string& path, int64_t size) {
  dbfs::FileInfo info = storage_.stat(temp);
  if (info.is_dir || info.file_size != size) {
    throw dbfs::ApiError::protocol("close", 200,
                                   "uploaded " + std::to_string(info.file_size) + " bytes of " +
                                       std::to_string(size) + " to " + temp);
  }
  if (journal_) journal_->ready(temp, path);
  auto aside = move_replacing(storage_, journal_, temp, path);
  if (journal_) journal_->end(temp);
  if (aside) discard_hidden(storage_, journal_, *aside);
  info.path = path;
  return info;
}

}  // namespace fs
