#pragma once

#include <string>
#include <vector>

#include "dbfs/file_info.h"

namespace dbfs {

// Keeps, of the entries a server listed for directory `dir` (canonical), only what a listing of
// it may hold: its direct children, each named by a valid component (not empty, not "." or
// "..", no '/' or NUL), each name once (its first entry). Anything else could show a file from
// elsewhere (/etc/passwd) under this directory, or one name twice; it is dropped and counted
// in one warning. The answer to a list of a file, that file alone, is kept as it is.
void keep_direct_children(const std::string& dir, std::vector<FileInfo>& entries);

}  // namespace dbfs
