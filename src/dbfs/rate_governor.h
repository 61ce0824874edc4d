#pragma once

#include <chrono>
#include <deque>

#include "common/thread_annotations.h"
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
  void before_request() EXCLUDES(mutex_);
  void on_throttled(std::chrono::seconds retry_after) EXCLUDES(mutex_);
  void on_success() EXCLUDES(mutex_);

  // Requests per second allowed now; 0 means unlimited (never throttled).
  double rate() const EXCLUDES(mutex_);

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr double kMinRate = 1.0;

  RetryClock clock_;

  // The pace every thread keeps.
  mutable threads::Mutex mutex_;
  double rate_ GUARDED_BY(mutex_) = 0;
  Clock::time_point next_slot_ GUARDED_BY(mutex_) = {};
  Clock::time_point paused_until_ GUARDED_BY(mutex_) = {};
  std::deque<Clock::time_point> recent_ GUARDED_BY(mutex_);  // request times of the last second
};

}  // namespace dbfs
