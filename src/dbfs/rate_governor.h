#pragma once

#include <chrono>
#include <deque>
#include <mutex>

#include "dbfs/retry.h"

namespace dbfs {

// Keeps a whole client under the workspace's rate limit once the workspace says it is over it.
// Unlimited until the first 429; then requests are spaced to a rate that halves on each 429
// (from the rate actually seen in the last second) and creeps back up by about one request per
// second for every second without one (AIMD, as TCP does), and a Retry-After holds every thread,
// not just the one that got it. Without this, each thread backs off alone and the threads
// together keep hitting the limit. Thread-safe.
class RateGovernor {
 public:
  explicit RateGovernor(RetryClock clock = RetryClock::real());

  // Waits until this request may go.
  void before_request();
  void on_throttled(std::chrono::seconds retry_after);
  void on_success();

  double rate() const;  // requests per second allowed now; 0 means unlimited (never throttled)

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr double kMinRate = 1.0;

  RetryClock clock_;
  mutable std::mutex mutex_;
  double rate_ = 0;                 // guarded by mutex_
  Clock::time_point next_slot_{};   // guarded by mutex_
  Clock::time_point paused_until_{};  // guarded by mutex_
  std::deque<Clock::time_point> recent_;  // request times of the last second; guarded by mutex_
};

}  // namespace dbfs
