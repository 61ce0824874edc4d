#pragma once

#include <chrono>

#include "common/thread_annotations.h"

namespace emulator {

// --rate-limit: a token bucket over all API requests, like a workspace's request limit. It holds
// at most one second's worth of tokens (at least one), so a burst after a quiet spell is
// limited too.
class RateLimiter {
 public:
  explicit RateLimiter(double per_second);  // 0: unlimited
  // True if the request may proceed; false means answer 429.
  bool admit() EXCLUDES(mu_);

 private:
  using Clock = std::chrono::steady_clock;
  const double rate_;

  // The bucket, filled up to now at each request.
  threads::Mutex mu_;
  double tokens_ GUARDED_BY(mu_);
  Clock::time_point last_ GUARDED_BY(mu_);
};

}  // namespace emulator
