#include "dbfs/path.h"

namespace dbfs::path {

std::optional<std::string> normalize(std::string_view p) {
  if (p.starts_with("dbfs:")) p.remove_prefix(5);
  if (p.empty() || p.front() != '/') return std::nullopt;
  if (p.find('\0') != std::string_view::npos) return std::nullopt;
  std::string out;
  out.reserve(p.size());
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') ++i;
    size_t end = p.find('/', i);
    if (end == std::string_view::npos) end = p.size();
    std::string_view part = p.substr(i, end - i);
    if (part == "." || part == "..") return std::nullopt;
    if (!part.empty()) {
      out += '/';
      out += part;
    }
    i = end;
  }
  if (out.empty()) out.push_back('/');  // not `= "/"`: GCC 12 warns falsely (-Wrestrict)
  return out;
}

std::string join(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string parent(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string_view basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_within(std::string_view path, std::string_view dir) {
  if (dir == "/") return path.starts_with('/');
  return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

}  // namespace dbfs::path
