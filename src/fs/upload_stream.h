#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "fs/storage.h"
#include "dbfs/file_info.h"
#include "common/thread_annotations.h"

namespace fs {

class UploadJournal;

// Uploads a file while it is still being written front to back: each full 1 MiB block the
// writer hands over goes out with add-block on a worker thread (a few blocks may queue, so the
// next one is ready while the previous is in flight), and finish() only sends the tail, closes
// and moves the temporary file into place. Any failure marks the stream failed; the caller then
// uploads the file whole from its staging, which still holds every byte. Thread-safe.
class UploadStream {
 public:
  static constexpr size_t kMaxQueued = 4;

  UploadStream(Storage& storage, std::string final_path, UploadJournal* journal);
  ~UploadStream();  // abandons the stream unless finished
  UploadStream(const UploadStream&) = delete;
  UploadStream& operator=(const UploadStream&) = delete;

  // Queues the next full block; waits while kMaxQueued blocks are queued. False if the stream
  // has failed (the block is dropped).
  bool push(std::string block);
  // Sends `tail` (the bytes after the last full block, possibly none), closes and commits under
  // `final_path` (which may have changed by a rename since the start). nullopt on failure.
  std::optional<dbfs::FileInfo> finish(std::string tail, const std::string& final_path,
                                       int64_t size);
  // Stops the stream and removes its temporary file in the background.
  void abandon();
  // Stops the stream and returns once its temporary file is gone: for a rename that moves the
  // directory the temporary file is in.
  void abandon_and_wait();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace fs
