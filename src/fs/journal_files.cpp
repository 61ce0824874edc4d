#include "fs/journal_files.h"

#include <signal.h>

#include <cerrno>
#include <fstream>
#include <string_view>

namespace fs::journal_files {
namespace {

constexpr std::string_view kPrefix = "uploads-";
constexpr std::string_view kSuffix = ".journal";

}  // namespace

std::string path_for(const std::string& dir, pid_t pid) {
  return dir + "/" + std::string(kPrefix) + std::to_string(pid) + std::string(kSuffix);
}

std::optional<pid_t> pid_of(const std::string& name) {
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  std::string digits = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return pid_t(std::stol(digits));
}

std::string header(const std::string& workspace) { return "workspace " + workspace; }

bool owner_alive(pid_t pid) {
  if (::kill(pid, 0) == 0 || errno == EPERM) {
    // A live process of that number; it is ours only if it is a dbfs-fuse.
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(comm, name);
    return name == "dbfs-fuse";
  }
  return false;
}

}  // namespace fs::journal_files
