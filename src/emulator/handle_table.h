#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "emulator/staging.h"

namespace emulator {

// One open write stream (create .. close).
struct WriteHandle {
  explicit WriteHandle(StagedFile staged_file) : file(std::move(staged_file)) {}

  std::mutex mu;  // serialises the blocks of one handle, so they land in call order
  std::string path;
  bool overwrite = false;
  // Where the blocks go: with --visible-at create the file was already placed at `path` and this
  // only holds its descriptor; with --visible-at close it is still staged and placed at close.
  StagedFile file;
  bool finished = false;  // guarded by mu: closed, a later add-block on a stale copy must fail
};

// The open handles, by id. Ids look like real ones (large, unpredictable, below 2^53 so they
// survive a JSON double) and are never reused while the emulator runs. A handle idle for longer
// than the timeout is gone, as if never opened.
class HandleTable {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HandleTable(std::chrono::milliseconds idle_timeout);

  int64_t add(std::shared_ptr<WriteHandle> handle);
  // The handle, its idle time restarted; null when unknown or expired.
  std::shared_ptr<WriteHandle> find(int64_t id);
  // Like find, and removes it from the table.
  std::shared_ptr<WriteHandle> take(int64_t id);
  // Drops every expired handle (its staged data is removed with it).
  void expire();

 private:
  struct Entry {
    std::shared_ptr<WriteHandle> handle;
    Clock::time_point last_used;
  };
  bool expired(const Entry& e, Clock::time_point now) const { return now - e.last_used > timeout_; }

  const std::chrono::milliseconds timeout_;
  std::mutex mu_;  // guards everything below
  std::unordered_map<int64_t, Entry> open_;
  std::unordered_set<int64_t> issued_;  // every id ever given out, so none repeats
  std::mt19937_64 random_;
};

}  // namespace emulator
