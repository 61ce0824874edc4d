#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dbfs::path {

// Canonical form of a DBFS path: "dbfs:" prefix removed, absolute, no trailing slash (but "/"),
// no empty components. Returns nullopt for what DBFS cannot name: relative paths, "." or ".."
// components, NUL bytes.
std::optional<std::string> normalize(std::string_view path);

// "/a" + "b" -> "/a/b"; "/" + "b" -> "/b".
std::string join(std::string_view parent, std::string_view name);
// "/a/b" -> "/a"; "/a" -> "/"; "/" -> "/".
std::string parent(std::string_view path);
// Whether `path` is `dir` or below it: ("/a/b", "/a") and ("/a", "/a") yes, ("/ab", "/a") no.
bool is_within(std::string_view path, std::string_view dir);
// "/a/b" -> "b"; "/" -> "".
std::string_view basename(std::string_view path);

}  // namespace dbfs::path
