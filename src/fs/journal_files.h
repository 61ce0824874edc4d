#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace fs::journal_files {

// Where the journal of process `pid` lives in `dir`, and the pid a journal's name holds.
std::string path_for(const std::string& dir, pid_t pid);
std::optional<pid_t> pid_of(const std::string& file_name);
// The first line of a journal: the workspace it belongs to.
std::string header(const std::string& workspace);
// Whether `pid` is a running dbfs-fuse (whose journal is still in use).
bool owner_alive(pid_t pid);

}  // namespace fs::journal_files
