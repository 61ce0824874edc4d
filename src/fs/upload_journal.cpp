#include "fs/upload_journal.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dbfs/path.h"
#include "fs/journal_format.h"
#include "fs/journal_files.h"

namespace fs {

UploadJournal::UploadJournal(const std::string& dir, const std::string& workspace) {
  if (dir.empty()) return;
  file_ = journal_files::path_for(dir, ::getpid());
  // O_EXCL and O_NOFOLLOW: a name someone else placed there (a link to a file of ours) is never
  // opened, let alone truncated. A journal of a dead process with our number is stale: recovery
  // has run before this, so it is removed first.
  ::unlink(file_.c_str());
  int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                  0600);
  if (fd < 0) {
    spdlog::warn("cannot keep an upload journal in {}: {}", dir, std::strerror(errno));
    return;
  }
  header_ = journal_files::header(workspace);
  threads::MutexLock lock(mutex_);
  fd_ = fd;
  write_line(header_);
}

UploadJournal::~UploadJournal() {
  threads::MutexLock lock(mutex_);
  if (fd_ < 0) return;
  ::close(fd_);
  if (in_flight_.empty()) ::unlink(file_.c_str());
}

void UploadJournal::write_line(const std::string& line) {
  if (fd_ < 0) return;
  std::string text = line + "\n";
  // One write per line with O_APPEND: a crash leaves whole lines, at worst a missing last one.
  if (::write(fd_, text.data(), text.size()) != ssize_t(text.size())) {
    spdlog::warn("cannot write the upload journal {}", file_);
  }
}

void UploadJournal::record(const std::string& path, Entry entry) {
  threads::MutexLock lock(mutex_);
  write_line(journal_format::format(char(entry.kind), path, entry.final_path));
  in_flight_[path] = std::move(entry);
}

void UploadJournal::begin(const std::string& temp) { record(temp, {Kind::kUpload, {}}); }

void UploadJournal::ready(const std::string& temp, const std::string& final_path) {
  record(temp, {Kind::kReady, final_path});
}

void UploadJournal::set_aside(const std::string& aside, const std::string& final_path) {
  record(aside, {Kind::kAside, final_path});
}

void UploadJournal::retire(const std::string& aside) { record(aside, {Kind::kRetired, {}}); }

bool UploadJournal::wait_until_settled(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  threads::MutexLock lock(mutex_);
  while (!in_flight_.empty()) {
    if (!lock.wait_until(settled_, deadline) && !in_flight_.empty()) return false;
  }
  return true;
}

bool UploadJournal::uploading_under(const std::string& dir) {
  for (const auto& [path, entry] : in_flight_) {
    if (entry.kind == Kind::kUpload && dbfs::path::is_within(path, dir)) return true;
  }
  return false;
}

bool UploadJournal::wait_for_uploads_under(const std::string& dir,
                                           std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  threads::MutexLock lock(mutex_);
  while (uploading_under(dir)) {
    if (!lock.wait_until(settled_, deadline) && uploading_under(dir)) return false;
  }
  return true;
}

void UploadJournal::end(const std::string& path) {
  threads::MutexLock lock(mutex_);
  settled_.notify_all();
  in_flight_.erase(path);
  write_line(journal_format::format('-', path));
  // Nothing in flight: start the journal afresh, so it never grows without bound.
  if (in_flight_.empty() && fd_ >= 0 && ::lseek(fd_, 0, SEEK_END) > (1 << 20) &&
      ::ftruncate(fd_, 0) == 0) {
    write_line(header_);
  }
}

}  // namespace fs
