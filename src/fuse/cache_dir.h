#pragma once

#include <string>

namespace fuse_adapter {

// Makes the cache folder if it is missing (mode 0700) and checks that it is safe to use: a
// folder of the mounting user that no one else can write. Recovery after a crash acts on DBFS on
// the strength of the journals kept there, so a folder others can write would let them delete
// or overwrite files. Returns an empty string, or one sentence saying what is wrong.
std::string prepare_cache_dir(const std::string& dir);

}  // namespace fuse_adapter
