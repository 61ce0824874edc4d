#include "fs/upload_journal.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs {
namespace {

constexpr std::string_view kPrefix = "uploads-";
constexpr std::string_view kSuffix = ".journal";

std::string journal_path(const std::string& dir, pid_t pid) {
  return dir + "/" + std::string(kPrefix) + std::to_string(pid) + std::string(kSuffix);
}

bool process_alive(pid_t pid) {
  if (::kill(pid, 0) == 0 || errno == EPERM) {
    // A live process of that number; it is ours only if it is a dbfs-fuse.
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(comm, name);
    return name == "dbfs-fuse";
  }
  return false;
}

}  // namespace

UploadJournal::UploadJournal(const std::string& dir, const std::string& workspace) {
  if (dir.empty()) return;
  file_ = journal_path(dir, ::getpid());
  int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    spdlog::warn("cannot keep an upload journal in {}: {}", dir, std::strerror(errno));
    return;
  }
  header_ = "workspace " + workspace;
  MutexLock lock(mutex_);
  fd_ = fd;
  write_line(header_);
}

UploadJournal::~UploadJournal() {
  MutexLock lock(mutex_);
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

void UploadJournal::begin(const std::string& temp_path) {
  MutexLock lock(mutex_);
  in_flight_.insert(temp_path);
  write_line('+' + temp_path);
}

bool UploadJournal::wait_until_settled(std::chrono::milliseconds timeout) {
  MutexLock lock(mutex_);
  return lock.wait_for(settled_, timeout,
                       [&]() NO_THREAD_SAFETY_ANALYSIS { return in_flight_.empty(); });
}

void UploadJournal::end(const std::string& temp_path) {
  MutexLock lock(mutex_);
  settled_.notify_all();
  in_flight_.erase(temp_path);
  write_line('-' + temp_path);
  // Nothing in flight: start the journal afresh, so it never grows without bound.
  if (in_flight_.empty() && fd_ >= 0 && ::lseek(fd_, 0, SEEK_END) > (1 << 20) &&
      ::ftruncate(fd_, 0) == 0) {
    write_line(header_);
  }
}

int UploadJournal::clean_leftovers(const std::string& dir, const std::string& workspace,
                                   dbfs::Api& api) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename();
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) continue;
    std::string digits = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
    pid_t pid = 0;
    try {
      pid = pid_t(std::stol(digits));
    } catch (const std::exception&) {
      continue;
    }
    if (pid == ::getpid() || process_alive(pid)) continue;
    std::ifstream in(entry.path());
    std::string line;
    if (!std::getline(in, line) || line != "workspace " + workspace) continue;
    std::set<std::string> left;
    while (std::getline(in, line)) {
      if (line.size() < 2) continue;
      if (line[0] == '+') left.insert(line.substr(1));
      if (line[0] == '-') left.erase(line.substr(1));
    }
    bool all_gone = true;
    for (const auto& temp : left) {
      try {
        api.remove(temp, false);
        ++removed;
        spdlog::info("removed {}, an upload left unfinished by dbfs-fuse process {}", temp, pid);
      } catch (const std::exception& e) {
        all_gone = false;
        spdlog::warn("could not remove leftover upload {}: {}", temp, e.what());
      }
    }
    if (all_gone) std::filesystem::remove(entry.path(), ec);
  }
  return removed;
}

}  // namespace fs
