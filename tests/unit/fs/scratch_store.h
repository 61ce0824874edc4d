#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "counting_api.h"
#include "emulator/store.h"

namespace fs::testing {

// A fresh folder for the running test, with DBFS (the emulator's Store, counted) over its
// root/ and an empty cache/ beside it; all removed again with the object.
struct ScratchStore {
  std::filesystem::path base;
  std::unique_ptr<emulator::Store> store;
  std::unique_ptr<CountingApi> api;

  explicit ScratchStore(const std::string& kind) {
    base = std::filesystem::temp_directory_path() /
           (kind + "-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base);
    std::filesystem::create_directories(base / "root");
    std::filesystem::create_directories(base / "cache");
    store = std::make_unique<emulator::Store>((base / "root").string());
    api = std::make_unique<CountingApi>(*store);
  }
  ~ScratchStore() { std::filesystem::remove_all(base); }
  std::string cache() const { return (base / "cache").string(); }
};

// `n` bytes of every value, the same for the same seed.
inline std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = char(rng());
  return s;
}

}  // namespace fs::testing
