#include "fs/upload_stream.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "dbfs/api_error.h"
#include "fs/replace.h"
#include "fs/upload_journal.h"
#include "fs/upload_names.h"
#include "fs/uploader.h"

namespace fs {

// Shared with the worker thread, which outlives an abandoned stream until its call in flight
// returns.
struct UploadStream::State {
  Storage& storage;
  std::string temp;
  UploadJournal* journal;
  threads::Mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> queue GUARDED_BY(mutex);
  std::unique_ptr<Storage::BlockUpload> upload GUARDED_BY(mutex);
  bool failed GUARDED_BY(mutex) = false;
  bool closing GUARDED_BY(mutex) = false;    // no more blocks will come
  bool abandoned GUARDED_BY(mutex) = false;
  bool worker_done GUARDED_BY(mutex) = false;
  bool removing GUARDED_BY(mutex) = false;  // one caller removes the temporary file
  bool settled GUARDED_BY(mutex) = false;   // committed, or the temporary file removed

  State(Storage& s, std::string t, UploadJournal* j) : storage(s), temp(std::move(t)), journal(j) {}

  void run() EXCLUDES(mutex);
  void remove_temp() EXCLUDES(mutex);
};

void UploadStream::State::run() {
  Storage::BlockUpload* opened = nullptr;
  int64_t sent = 0;
  try {
    auto started = storage.open_upload(temp);
    opened = started.get();
    threads::MutexLock lock(mutex);
    upload = std::move(started);
  } catch (const std::exception& e) {
    spdlog::info("streamed upload to {} could not start ({}); the file is uploaded at close", temp,
                 e.what());
    threads::MutexLock lock(mutex);
    failed = true;
  }
  for (;;) {
    std::string block;
    {
      threads::MutexLock lock(mutex);
      while (!failed && !abandoned && queue.empty() && !closing) lock.wait(changed);
      if (failed || abandoned || queue.empty()) break;
      block = std::move(queue.front());
      queue.pop_front();
    }
    changed.notify_all();  // room in the queue
    try {
      append_block(storage, *opened, temp, sent, block);
      sent += int64_t(block.size());
    } catch (const std::exception& e) {
      // Ambiguous or not, the temporary file is no longer trusted: the close-time upload
      // starts over from create.
      spdlog::info("streamed upload to {} stopped ({}); the file is uploaded at close", temp,
                   e.what());
      threads::MutexLock lock(mutex);
      failed = true;
    }
  }
  bool remove;
  {
    threads::MutexLock lock(mutex);
    worker_done = true;
    queue.clear();
    remove = abandoned;
  }
  changed.notify_all();
  if (remove) remove_temp();
}

void UploadStream::State::remove_temp() {
  {
    threads::MutexLock lock(mutex);
    if (settled || removing) return;
    removing = true;
  }
  discard_hidden(storage, journal, temp);
  {
    threads::MutexLock lock(mutex);
    settled = true;
  }
  changed.notify_all();
}

UploadStream::UploadStream(Storage& storage, std::string final_path, UploadJournal* journal)
    : state_(std::make_shared<State>(storage, upload_names::temporary_for(final_path), journal)) {
  // Journaled before the worker exists: whoever waits for the journal to settle (unmount, a
  // rename of the directory) also waits for a worker that has not started yet.
  if (journal) journal->begin(state_->temp);
  std::thread([state = state_] { state->run(); }).detach();
}

UploadStream::~UploadStream() { abandon(); }

bool UploadStream::push(std::string block) {
  State& s = *state_;
  {
    threads::MutexLock lock(s.mutex);
    while (!s.failed && !s.abandoned && s.queue.size() >= kMaxQueued) lock.wait(s.changed);
    if (s.failed || s.abandoned) return false;
    s.queue.push_back(std::move(block));
  }
  s.changed.notify_all();
  return true;
}

std::optional<dbfs::FileInfo> UploadStream::finish(std::string tail, const std::string& final_path,
                                                   int64_t size) {
  State& s = *state_;
  // A refused tail means the stream failed: the check below sees that, and cleans up.
  if (!tail.empty()) push(std::move(tail));
  std::unique_ptr<Storage::BlockUpload> upload;
  {
    threads::MutexLock lock(s.mutex);
    s.closing = true;
    s.changed.notify_all();
    while (!s.worker_done) lock.wait(s.changed);
    if (!s.failed && !s.abandoned) upload = std::move(s.upload);
  }
  if (!upload) {
    s.remove_temp();
    return std::nullopt;
  }
  try {
    close_upload(*upload, s.temp);
    dbfs::FileInfo info = Uploader(s.storage, 1, s.journal).commit(s.temp, final_path, size);
    {
      threads::MutexLock lock(s.mutex);
      s.settled = true;
    }
    s.changed.notify_all();
    return info;
  } catch (const std::exception& e) {
    spdlog::info("streamed upload of {} could not be committed ({}); uploading it whole",
                 final_path, e.what());
    s.remove_temp();
    return std::nullopt;
  }
}

void UploadStream::abandon_and_wait() {
  abandon();
  State& s = *state_;
  threads::MutexLock lock(s.mutex);
  while (!s.settled) lock.wait(s.changed);
}

void UploadStream::abandon() {
  State& s = *state_;
  bool worker_done;
  {
    threads::MutexLock lock(s.mutex);
    if (s.settled) return;
    s.abandoned = true;
    worker_done = s.worker_done;
  }
  s.changed.notify_all();
  // A running worker removes the temporary file itself once its call in flight returns.
  if (worker_done) s.remove_temp();
}

}  // namespace fs
