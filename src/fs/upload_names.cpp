#include "fs/upload_names.h"

#include <cstdio>
#include <random>

#include "dbfs/path.h"

namespace fs::upload_names {

bool is_temporary(std::string_view name) { return name.starts_with(kPrefix); }

std::string temporary_for(const std::string& final_path) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()));
  return dbfs::path::join(dbfs::path::parent(final_path), std::string(kPrefix) + id);
}

}  // namespace fs::upload_names
