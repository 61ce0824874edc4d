#include "fs/upload_names.h"

#include <cctype>
#include <cstdio>
#include <random>

#include "dbfs/path.h"

namespace fs::upload_names {
namespace {

constexpr size_t kIdLength = 16;

bool has_id_after(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix) || name.size() != prefix.size() + kIdLength) return false;
  for (char c : name.substr(prefix.size())) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string hidden_next_to(const std::string& path, std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char id[kIdLength + 1];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()));
  return dbfs::path::join(dbfs::path::parent(path), std::string(prefix) + id);
}

}  // namespace

bool is_hidden(std::string_view name) {
  return has_id_after(name, kUploadPrefix) || has_id_after(name, kAsidePrefix);
}

bool is_hidden_path(std::string_view path) { return is_hidden(dbfs::path::basename(path)); }

bool is_open_alias_path(std::string_view path) {
  return has_id_after(dbfs::path::basename(path), kOpenAliasPrefix);
}

std::string temporary_for(const std::string& final_path) {
  return hidden_next_to(final_path, kUploadPrefix);
}

std::string aside_for(const std::string& path) { return hidden_next_to(path, kAsidePrefix); }

}  // namespace fs::upload_names
