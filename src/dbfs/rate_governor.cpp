#include "dbfs/rate_governor.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace dbfs {

RateGovernor::RateGovernor(RetryClock clock) : clock_(std::move(clock)) {}

void RateGovernor::before_request() {
  Clock::time_point go;
  {
    threads::MutexLock lock(mutex_);
    auto now = clock_.now();
    go = std::max(now, paused_until_);
    if (rate_ > 0) {
      go = std::max(go, next_slot_);
      next_slot_ = go + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(1.0 / rate_));
    }
    recent_.push_back(go);
    while (!recent_.empty() && recent_.front() < now - std::chrono::seconds(1)) recent_.pop_front();
  }
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(go - clock_.now());
  if (wait.count() > 0) clock_.sleep(wait);
}

void RateGovernor::on_throttled(std::chrono::seconds retry_after) {
  threads::MutexLock lock(mutex_);
  auto now = clock_.now();
  double seen = static_cast<double>(recent_.size());
  double base = rate_ > 0 ? std::min(rate_, std::max(seen, kMinRate)) : std::max(seen, kMinRate);
  double halved = std::max(kMinRate, base / 2);
  if (rate_ == 0 || halved < rate_) {
    spdlog::info("workspace rate limit hit: slowing to {:.1f} requests/s", halved);
    rate_ = halved;
  }
  if (retry_after.count() > 0) paused_until_ = std::max(paused_until_, now + retry_after);
}

void RateGovernor::on_success() {
  threads::MutexLock lock(mutex_);
  if (rate_ == 0) return;
  // +1/rate per request is about +1 request/s for each second at that rate.
  rate_ += 1.0 / rate_;
}

double RateGovernor::rate() const {
  threads::MutexLock lock(mutex_);
  return rate_;
}

}  // namespace dbfs
