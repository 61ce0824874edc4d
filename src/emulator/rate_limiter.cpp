#include "emulator/rate_limiter.h"

#include <algorithm>

namespace emulator {

RateLimiter::RateLimiter(double per_second)
    : rate_(per_second), tokens_(std::max(per_second, 1.0)), last_(Clock::now()) {}

bool RateLimiter::admit() {
  if (rate_ <= 0) return true;
  threads::MutexLock lock(mu_);
  auto now = Clock::now();
  double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(std::max(rate_, 1.0), tokens_ + elapsed * rate_);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace emulator
