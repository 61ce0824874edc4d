#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/thread_annotations.h"
#include "emulator/staging.h"

namespace emulator {

// One open write stream (create .. close).
struct WriteHandle {
  WriteHandle(std::string destination, bool replace, StagedFile staged_file)
      : path(std::move(destination)), overwrite(replace), file(std::move(staged_file)) {}

  const std::string path;
  const bool overwrite;

  // Serialises the blocks of one handle, so they land in call order.
  threads::Mutex mu;
  // Where the blocks go: with --visible-at create the file was already placed at `path` and this
  // only holds its descriptor; with --visible-at close it is still staged and placed at close.
  StagedFile file GUARDED_BY(mu);
  bool finished GUARDED_BY(mu) = false;  // closed: a later add-block on a stale copy must fail
};

// The open handles, by id. Ids look like real ones (large, unpredictable, below 2^53 so they
// survive a JSON double) and are never reused while the emulator runs. A handle idle for longer
// than the timeout is gone, as if never opened.
class HandleTable {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HandleTable(std::chrono::milliseconds idle_timeout);

  int64_t add(std::shared_ptr<WriteHandle> handle) EXCLUDES(mu_);
  // The handle, its idle time restarted; null when unknown or expired.
  std::shared_ptr<WriteHandle> find(int64_t id) EXCLUDES(mu_);
  // Like find, and removes it from the table.
  std::shared_ptr<WriteHandle> take(int64_t id) EXCLUDES(mu_);
  // Drops every expired handle (its staged data is removed with it).
  void expire() EXCLUDES(mu_);

 private:
  struct Entry {
    std::shared_ptr<WriteHandle> handle;
    Clock::time_point last_used;
  };
  bool expired(const Entry& e, Clock::time_point now) const { return now - e.last_used > timeout_; }

  const std::chrono::milliseconds timeout_;

  // The table, and what new ids are drawn from.
  threads::Mutex mu_;
  std::unordered_map<int64_t, Entry> open_ GUARDED_BY(mu_);
  std::unordered_set<int64_t> issued_ GUARDED_BY(mu_);  // every id ever given out, so none repeats
  std::mt19937_64 random_ GUARDED_BY(mu_);
};

}  // namespace emulator
