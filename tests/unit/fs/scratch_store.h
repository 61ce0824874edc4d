#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "counting_api.h"
#include "dbfs/api_error.h"
#include "emulator/store.h"
#include "fs/dbfs_storage.h"
#include "fs/filesystem.h"

namespace fs::testing {

// What DBFS holds at `path`; nullopt when nothing is there.
inline std::optional<std::string> on_dbfs(emulator::Store& store, const std::string& path) {
  try {
    store.get_status(path);
  } catch (const dbfs::ApiError& e) {
    if (e.is_not_found()) return std::nullopt;
    throw;
  }
  constexpr int64_t kChunk = 1 << 20;
  std::string out, chunk;
  for (int64_t offset = 0;; offset += kChunk) {
    int64_t n = store.read(path, offset, kChunk, chunk);
    out += chunk;
    if (n < kChunk) return out;
  }
}

// A fresh folder for the running test, with DBFS (the emulator's Store, counted) over its
// root/ and an empty cache/ beside it; all removed again with the object.
struct ScratchStore {
  std::filesystem::path base;
  std::unique_ptr<emulator::Store> store;
  std::unique_ptr<CountingApi> api;
  std::unique_ptr<DbfsStorage> storage;  // the core's view of `api`

  explicit ScratchStore(const std::string& kind) {
    base = std::filesystem::temp_directory_path() /
           (kind + "-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base);
    std::filesystem::create_directories(base / "root");
    std::filesystem::create_directories(base / "cache");
    store = std::make_unique<emulator::Store>((base / "root").string());
    api = std::make_unique<CountingApi>(*store);
    storage = std::make_unique<DbfsStorage>(*api);
  }
  ~ScratchStore() { std::filesystem::remove_all(base); }
  std::string cache() const { return (base / "cache").string(); }

  // The whole content of the file at `path` on DBFS ("" if there is none).
  std::string content(const std::string& path) const {
    return on_dbfs(*store, path).value_or("");
  }
  // How many of dbfs-fuse's hidden files (uploads, set-aside content) are left anywhere on DBFS.
  int hidden_files() const {
    int n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(base / "root")) {
      n += e.path().filename().string().starts_with(".dbfs-fuse-");
    }
    return n;
  }
};

// A read through the core, as the FUSE adapter makes it: the bytes are copied to `buf`.
// Returns their count, or -errno.
inline int read_into(Filesystem& fs, Filesystem::Handle fh, char* buf, size_t size,
                     int64_t offset, bool page_cached = false) {
  Filesystem::ReadResult read = fs.read(fh, size, offset, page_cached);
  if (read.error < 0) return read.error;
  if (read.bytes.size() > size) return -ERANGE;
  std::copy_n(read.bytes.data(), read.bytes.size(), buf);
  return int(read.bytes.size());
}

// `n` bytes of every value, the same for the same seed.
inline std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = char(rng());
  return s;
}

}  // namespace fs::testing
