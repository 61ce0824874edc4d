#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/thread_annotations.h"

namespace emulator {

// Exact counts of the API traffic, for GET /emulator/v1/stats (tests assert call counts).
// Control endpoints are not counted. Thread-safe.
class Stats {
 public:
  // A request for `op` arrived (counted whatever then happens to it).
  void request(std::string_view op) EXCLUDES(mu_);
  // It was answered with `status`, or dropped without an answer (status 0, counted as "reset").
  // Bytes are HTTP body bytes.
  void answered(int status, uint64_t bytes_in, uint64_t bytes_out) EXCLUDES(mu_);
  void reset() EXCLUDES(mu_);
  // {"requests": {"<op>": n}, "statuses": {"<code>" or "reset": n}, "bytes_in": n, "bytes_out": n}
  std::string json() const EXCLUDES(mu_);

 private:
  // The counts, read together by json() so that they agree with each other.
  mutable threads::Mutex mu_;
  std::map<std::string, int64_t, std::less<>> requests_ GUARDED_BY(mu_);
  std::map<std::string, int64_t, std::less<>> statuses_ GUARDED_BY(mu_);
  uint64_t bytes_in_ GUARDED_BY(mu_) = 0;
  uint64_t bytes_out_ GUARDED_BY(mu_) = 0;
};

}  // namespace emulator
