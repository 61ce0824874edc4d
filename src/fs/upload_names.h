#pragma once

#include <string>
#include <string_view>

namespace fs::upload_names {

// dbfs-fuse keeps two kinds of hidden files on DBFS, always in the directory of the file they
// serve, so that moving them into place is a rename within one directory (docs/design.md):
//   .dbfs-fuse-upload.<16 hex>  a multi-block upload, moved to its final name once complete;
//   .dbfs-fuse-old.<16 hex>     a file's old content, set aside while it is replaced, or kept
//                               for the descriptors still reading a file that was unlinked.
// Only names of exactly that form are ours: listings hide them, crash recovery touches no other
// name, and a user's own file such as ".dbfs-fuse-upload.txt" is an ordinary file.
inline constexpr std::string_view kUploadPrefix = ".dbfs-fuse-upload.";
inline constexpr std::string_view kAsidePrefix = ".dbfs-fuse-old.";

// libfuse's name for a file removed while open (".fuse_hidden" and 16 hex digits): it renames
// the file to it instead of removing it, and removes it after the last close. Such a name
// never reaches DBFS: the core keeps it as an alias of the open file (Filesystem::hide).
inline constexpr std::string_view kOpenAliasPrefix = ".fuse_hidden";
bool is_open_alias_path(std::string_view path);

// Whether `name` (one path component) is one of our hidden names.
bool is_hidden(std::string_view name);
// Whether `path`'s last component is one of our hidden names.
bool is_hidden_path(std::string_view path);
// A fresh upload name next to `final_path`.
std::string temporary_for(const std::string& final_path);
// A fresh name next to `path` for its old content.
std::string aside_for(const std::string& path);

}  // namespace fs::upload_names
