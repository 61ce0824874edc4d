#pragma once

#include <string>

#include "fs/staging.h"

namespace fs {

// Copies the staged bytes of a file that could not be uploaded, and that no close(2) could
// report any more (the last descriptor is gone, or the mount is stopping), into
// `cache_dir`/unsaved/, so that nothing is dropped silently. Returns the copy's path, or an
// empty string (the reason logged) if even that failed.
std::string keep_unsaved(const std::string& cache_dir, const std::string& dbfs_path,
                         const Staging& staging);

}  // namespace fs
