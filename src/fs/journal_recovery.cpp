// UploadJournal::recover: what the next mount does with the journals of a crashed one.

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "dbfs/api_error.h"
#include "dbfs/path.h"
#include "fs/journal_files.h"
#include "fs/journal_format.h"
#include "fs/upload_journal.h"
#include "fs/upload_names.h"

namespace fs {
namespace {

using Entries = std::map<std::string, UploadJournal::Entry>;

// The whole text of a journal, unless it could have been written by someone else: it must be a
// regular file (not a link) owned by us and writable by nobody else, because recovery acts on
// DBFS on the strength of what it says.
std::optional<std::string> read_trusted(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st;
  std::optional<std::string> text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() &&
      (st.st_mode & 022) == 0) {
    text.emplace();
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) text->append(buf, size_t(n));
  } else {
    spdlog::warn("ignoring upload journal {}: not a file of this user that only it can write",
                 file.string());
  }
  ::close(fd);
  return text;
}

// Only our own hidden names are ever touched, and only moved into place within their directory.
bool ours(const std::string& path, const UploadJournal::Entry& entry) {
  if (!upload_names::is_hidden_path(path)) return false;
  if (entry.final_path.empty()) return entry.kind != UploadJournal::Kind::kReady &&
                                       entry.kind != UploadJournal::Kind::kAside;
  return dbfs::path::parent(entry.final_path) == dbfs::path::parent(path) &&
         !upload_names::is_hidden_path(entry.final_path);
}

// What the journal still lists, or nullopt if it is not of `workspace`.
std::optional<Entries> entries_of(const std::string& text, const std::string& workspace,
                                  const std::string& file) {
  size_t start = 0;
  std::optional<Entries> entries;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // a torn last line: never acted on
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (!entries) {
      if (line != journal_files::header(workspace)) return std::nullopt;
      entries.emplace();
      continue;
    }
    auto parsed = journal_format::parse(line);
    if (!parsed) continue;
    if (parsed->tag == '-') {
      entries->erase(parsed->path);
      continue;
    }
    UploadJournal::Entry entry{UploadJournal::Kind(parsed->tag), parsed->final_path};
    if (!ours(parsed->path, entry)) {
      spdlog::warn("upload journal {}: ignoring an entry that is not one of dbfs-fuse's hidden "
                   "files: {}", file, std::string(line));
      continue;
    }
    (*entries)[parsed->path] = std::move(entry);
  }
  return entries;
}

bool exists(Storage& storage, const std::string& path) {
  try {
    storage.stat(path);
    return true;
  } catch (const dbfs::ApiError& e) {
    if (e.is_not_found()) return false;
    throw;
  }
}

// Moves `from` to `to`; false if `from` is not there.
bool move_if_there(Storage& storage, const std::string& from, const std::string& to) {
  try {
    storage.move(from, to);
    return true;
  } catch (const dbfs::ApiError& e) {
    if (e.is_not_found()) return false;
    throw;
  }
}

// Settles one journal's entries on DBFS; throws dbfs::ApiError if the server fails us (the
// journal then stays for the next mount).
int settle(Storage& storage, const Entries& entries, pid_t pid) {
  using Kind = UploadJournal::Kind;
  int settled = 0;
  std::map<std::string, std::vector<std::string>> complete, old;  // by final path
  std::vector<std::string> doomed;
  for (const auto& [path, entry] : entries) {
    if (entry.kind == Kind::kReady) complete[entry.final_path].push_back(path);
    if (entry.kind == Kind::kAside) old[entry.final_path].push_back(path);
    if (entry.kind == Kind::kUpload || entry.kind == Kind::kRetired) doomed.push_back(path);
  }
  std::vector<std::string> finals;
  for (const auto& [final_path, _] : complete) finals.push_back(final_path);
  for (const auto& [final_path, _] : old) finals.push_back(final_path);
  for (const auto& final_path : finals) {
    if (exists(storage, final_path)) continue;
    // The name is empty: the new content if it was complete, else the old one goes back.
    bool restored = false;
    for (const auto* candidates : {&complete[final_path], &old[final_path]}) {
      for (const auto& hidden : *candidates) {
        if (restored || !move_if_there(storage, hidden, final_path)) continue;
        restored = true;
        ++settled;
        spdlog::info("{}: put back in place from {}, left there by dbfs-fuse process {}",
                     final_path, hidden, pid);
      }
    }
    if (!restored) {
      spdlog::error("{}: neither its old nor its new content was left by dbfs-fuse process {}",
                    final_path, pid);
    }
  }
  for (const auto& [_, paths] : complete) doomed.insert(doomed.end(), paths.begin(), paths.end());
  for (const auto& [_, paths] : old) doomed.insert(doomed.end(), paths.begin(), paths.end());
  for (const auto& hidden : doomed) {
    if (!exists(storage, hidden)) continue;
    storage.remove(hidden);
    ++settled;
    spdlog::info("removed {}, left unfinished by dbfs-fuse process {}", hidden, pid);
  }
  return settled;
}

}  // namespace

int UploadJournal::recover(const std::string& dir, const std::string& workspace, Storage& storage,
                           bool own_pid_is_dead) {
  int settled = 0;
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = item.path().filename();
    auto pid = journal_files::pid_of(name);
    if (!pid) continue;
    if (*pid == ::getpid() ? !own_pid_is_dead : journal_files::owner_alive(*pid)) continue;
    auto text = read_trusted(item.path());
    if (!text) continue;
    auto entries = entries_of(*text, workspace, item.path().string());
    if (!entries) continue;  // another workspace's
    try {
      settled += settle(storage, *entries, *pid);
      std::filesystem::remove(item.path(), ec);
    } catch (const std::exception& e) {
      spdlog::warn("could not finish what dbfs-fuse process {} left on DBFS ({}); the next mount "
                   "tries again", *pid, e.what());
    }
  }
  return settled;
}

}  // namespace fs
