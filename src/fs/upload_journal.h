#pragma once

#include <chrono>
#include <condition_variable>
#include <set>
#include <string>

#include "dbfs/api.h"
#include "fs/thread_annotations.h"

namespace fs {

// Remembers, in a small file in the cache folder, the temporary upload names this process has
// on DBFS right now, so that the next mount after a crash (or SIGKILL) can remove the ones it
// left behind. One journal per process; a line "+PATH" when an upload starts, "-PATH" when it is
// committed or removed. The first line names the workspace, so a shared cache folder serving
// mounts of several workspaces cleans each up against the right one.
class UploadJournal {
 public:
  // A journal for this process in `dir`; disabled (all calls no-ops) if `dir` is empty.
  UploadJournal(const std::string& dir, const std::string& workspace);
  ~UploadJournal();  // removes the journal: nothing is in flight after a clean exit
  UploadJournal(const UploadJournal&) = delete;
  UploadJournal& operator=(const UploadJournal&) = delete;

  void begin(const std::string& temp_path) EXCLUDES(mutex_);
  void end(const std::string& temp_path) EXCLUDES(mutex_);
  // Waits up to `timeout` for every begun upload to end; false if some are still going.
  bool wait_until_settled(std::chrono::milliseconds timeout) EXCLUDES(mutex_);

  // Deletes on DBFS the temporary uploads of journals in `dir` that belong to `workspace` and
  // whose process is gone, then their journals. Returns how many files it removed.
  static int clean_leftovers(const std::string& dir, const std::string& workspace,
                             dbfs::Api& api);

 private:
  void write_line(const std::string& line) REQUIRES(mutex_);

  std::string file_;
  std::string header_;
  Mutex mutex_;
  int fd_ GUARDED_BY(mutex_) = -1;
  std::set<std::string> in_flight_ GUARDED_BY(mutex_);
  std::condition_variable settled_;
};

}  // namespace fs
