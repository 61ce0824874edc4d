#include "dbfs/retry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <thread>

namespace dbfs {

RetryClock RetryClock::real() {
  return {
      [] { return std::chrono::steady_clock::now(); },
      [](std::chrono::milliseconds wait) { std::this_thread::sleep_for(wait); },
      [] {
        thread_local std::mt19937_64 engine{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
      },
  };
}

RetryPolicy::RetryPolicy(RetryOptions options, RetryClock clock)
    : options_(options), clock_(std::move(clock)) {}

bool RetryPolicy::should_retry(const ApiError& error, RetrySafety safety) const {
  if (!error.is_retryable()) return false;
  return !(safety == RetrySafety::kNotAfterAmbiguous && error.ambiguous());
}

std::chrono::milliseconds RetryPolicy::backoff(int retry) const {
  double ceiling = static_cast<double>(options_.first_backoff.count()) *
                   static_cast<double>(uint64_t{1} << std::min(retry, 40));
  ceiling = std::min(ceiling, static_cast<double>(options_.max_backoff.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(clock_.random() * ceiling));
}

void RetryPolicy::run(RetrySafety safety, const std::function<void(const Attempt&)>& attempt,
                      int& retries, const std::function<bool()>& hopeless) const {
  const auto start = clock_.now();
  Attempt state;
  state.budget_end = start + options_.budget;
  for (;;) {
    try {
      attempt(state);
      return;
    } catch (const ApiError& error) {
      if (!should_retry(error, safety)) throw;
      if (hopeless && hopeless()) {
        spdlog::debug("{}: no retry can help now: {}", error.op(), error.what());
        throw;
      }
      std::chrono::milliseconds wait = error.retry_after().count() > 0
                                           ? std::chrono::milliseconds(error.retry_after())
                                           : backoff(state.retries);
      if (clock_.now() + wait - start > options_.budget) {
        spdlog::debug("{}: giving up after {} retries: {}", error.op(), retries, error.what());
        throw;
      }
      spdlog::debug("{}: retrying in {} ms: {}", error.op(), wait.count(), error.what());
      clock_.sleep(wait);
      ++retries;
      ++state.retries;
      state.after_ambiguous = state.after_ambiguous || error.ambiguous();
    }
  }
}

}  // namespace dbfs
