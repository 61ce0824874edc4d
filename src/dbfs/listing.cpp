#include "dbfs/listing.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string_view>

namespace dbfs {
namespace {

bool is_valid_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

// Marks in `drop` every entry whose name an earlier entry already has. Sorting indices (4 bytes
// an entry) rather than hashing names keeps a million-entry listing cheap.
size_t mark_repeats(const std::vector<FileInfo>& entries, size_t prefix,
                    std::vector<uint8_t>& drop) {
  std::vector<uint32_t> order;
  order.reserve(entries.size());
  for (uint32_t i = 0; i < entries.size(); ++i) {
    if (!drop[i]) order.push_back(i);
  }
  auto name = [&](uint32_t i) { return std::string_view(entries[i].path).substr(prefix); };
  // Stable: among equal names the first entry comes first, and is the one kept.
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return name(a) < name(b); });
  size_t repeats = 0;
  for (size_t k = 1; k < order.size(); ++k) {
    if (name(order[k]) == name(order[k - 1])) {
      drop[order[k]] = 1;
      ++repeats;
    }
  }
  return repeats;
}

}  // namespace

void keep_direct_children(const std::string& dir, std::vector<FileInfo>& entries) {
  if (entries.size() == 1 && entries[0].path == dir && !entries[0].is_dir) return;
  const std::string prefix = dir == "/" ? dir : dir + "/";
  std::vector<uint8_t> drop(entries.size(), 0);
  size_t outside = 0, bad_names = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string_view path = entries[i].path;
    if (!path.starts_with(prefix)) {
      drop[i] = 1;
      ++outside;
    } else if (!is_valid_name(path.substr(prefix.size()))) {
      drop[i] = 1;
      ++bad_names;
    }
  }
  size_t repeats = mark_repeats(entries, prefix.size(), drop);
  size_t dropped = outside + bad_names + repeats;
  if (dropped == 0) return;
  spdlog::warn("list {}: dropped {} of {} entries the server sent ({} outside the directory, {} "
               "with an invalid name, {} repeating a name)",
               dir, dropped, entries.size(), outside, bad_names, repeats);
  size_t kept = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (drop[i]) continue;
    if (kept != i) entries[kept] = std::move(entries[i]);
    ++kept;
  }
  entries.resize(kept);
}

}  // namespace dbfs
