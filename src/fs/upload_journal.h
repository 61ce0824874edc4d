#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <string>

#include "fs/storage.h"
#include "common/thread_annotations.h"

namespace fs {

// Remembers, in a small file in the cache folder, the hidden files (upload_names.h) this process
// has on DBFS right now and what each is for, so that the next mount after a crash (or SIGKILL)
// can finish or undo what it was doing: every name under its final path ends with its old or its
// new content, never neither, and nothing hidden is left behind. One journal per process, one
// line per change; the first line names the workspace, so a cache folder shared by mounts of
// several workspaces recovers each against the right one. docs/design.md has the recovery rules.
class UploadJournal {
 public:
  // A journal for this process in `dir`; disabled (all calls no-ops) if `dir` is empty.
  UploadJournal(const std::string& dir, const std::string& workspace);
  ~UploadJournal();  // removes the journal when nothing is left in it
  UploadJournal(const UploadJournal&) = delete;
  UploadJournal& operator=(const UploadJournal&) = delete;

  // An upload's temporary file, not complete yet: recovery deletes it.
  void begin(const std::string& temp) EXCLUDES(mutex_);
  // `temp` is complete and about to become `final_path`: recovery moves it there if that name is
  // empty, else deletes it.
  void ready(const std::string& temp, const std::string& final_path) EXCLUDES(mutex_);
  // `aside` holds what `final_path` held, moved away while `final_path` is replaced: recovery
  // moves it back if nothing took its place, else deletes it.
  void set_aside(const std::string& aside, const std::string& final_path) EXCLUDES(mutex_);
  // `aside` holds content that only open descriptors still read: recovery deletes it.
  void retire(const std::string& aside) EXCLUDES(mutex_);
  // The hidden file is gone (moved into place or deleted).
  void end(const std::string& path) EXCLUDES(mutex_);
  // Waits up to `timeout` for every hidden file to end; false if some are still there.
  bool wait_until_settled(std::chrono::milliseconds timeout) EXCLUDES(mutex_);
  // Waits up to `timeout` for the uploads' temporary files below `dir` to end: an abandoned
  // upload removes its temporary file by name, which a move of `dir` would change under it.
  bool wait_for_uploads_under(const std::string& dir, std::chrono::milliseconds timeout)
      EXCLUDES(mutex_);

  // Finishes what the journals in `dir` of dead processes of `workspace` left undone, then
  // removes those journals. Journals not owned by this user, or writable by others, and entries
  // that are not our hidden names are left alone (logged). Returns how many hidden files it
  // moved into place or deleted. `own_pid_is_dead`: this process has no journal yet (a mount
  // starting), so one with its PID was left by an earlier process that had the same PID.
  static int recover(const std::string& dir, const std::string& workspace, Storage& storage,
                     bool own_pid_is_dead = false);

  // One line's worth of what a journal holds about a hidden file.
  enum class Kind : char { kUpload = '+', kReady = '=', kAside = '<', kRetired = 'x' };
  struct Entry {
    Kind kind = Kind::kUpload;
    std::string final_path;  // kReady, kAside
  };

 private:
  void record(const std::string& path, Entry entry) EXCLUDES(mutex_);
  void write_line(const std::string& line) REQUIRES(mutex_);
  bool uploading_under(const std::string& dir) REQUIRES(mutex_);

  std::string file_;
  std::string header_;
  threads::Mutex mutex_;
  int fd_ GUARDED_BY(mutex_) = -1;
  std::map<std::string, Entry> in_flight_ GUARDED_BY(mutex_);
  std::condition_variable settled_;
};

}  // namespace fs
