#pragma once

#include <chrono>
#include <mutex>

namespace emulator {

// --rate-limit: a token bucket over all API requests, like a workspace's request limit. It holds
// at most one second's worth of tokens (at least one), so a burst after a quiet spell is
// limited too.
class RateLimiter {
 public:
  explicit RateLimiter(double per_second);  // 0: unlimited
  // True if the request may proceed; false means answer 429.
  bool admit();

 private:
  using Clock = std::chrono::steady_clock;
  const double rate_;
  std::mutex mu_;  // guards the two below
  double tokens_;
  Clock::time_point last_;
};

}  // namespace emulator
