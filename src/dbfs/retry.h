#pragma once

#include <chrono>
#include <functional>

#include "dbfs/api_error.h"

namespace dbfs {

struct RetryOptions {
  // Ceiling of the first sleep; it doubles on every further retry up to max_backoff.
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{10000};
  // Time from the first attempt after which no further retry starts; each attempt is told when
  // it ends (Attempt::budget_end), so that none runs past it either.
  std::chrono::milliseconds budget{120000};
};

// Time, sleep and randomness, replaceable so that tests never really sleep.
struct RetryClock {
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> random;  // uniform in [0, 1)

  static RetryClock real();
};

// Whether a call may be repeated blindly.
enum class RetrySafety {
  kIdempotent,
  // Repeating it after it may have been applied would do it twice (add-block appends twice; a
  // repeated close or non-overwriting create fails on what the first one did). Retried only when
  // the request certainly was not applied: not sent, or refused with 429/503.
  kNotAfterAmbiguous,
};

// What an attempt knows about the attempts before it, and how long it may take.
struct Attempt {
  int retries = 0;               // attempts before this one
  bool after_ambiguous = false;  // one of them may have been applied
  // The end of the call's budget (RetryClock time): the attempt should be over by then.
  std::chrono::steady_clock::time_point budget_end = std::chrono::steady_clock::time_point::max();
};

// Exponential backoff with full jitter, Retry-After honoured, within a total time budget.
class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options, RetryClock clock = RetryClock::real());

  bool should_retry(const ApiError& error, RetrySafety safety) const;
  // The sleep before retry number `retry` (0-based) when the server named no wait: uniform in
  // [0, min(max_backoff, first_backoff * 2^retry)).
  std::chrono::milliseconds backoff(int retry) const;

  // Runs `attempt` until it returns, or throws an ApiError that is not worth retrying, or the
  // budget would be exceeded by the next sleep, or `hopeless` (asked after each failure worth
  // retrying, when given) says no retry can help now (the server is known to be unreachable);
  // then the last error propagates. `retries` counts the retries made, also when the call
  // finally fails.
  void run(RetrySafety safety, const std::function<void(const Attempt&)>& attempt, int& retries,
           const std::function<bool()>& hopeless = {}) const;

 private:
  RetryOptions options_;
  RetryClock clock_;
};

}  // namespace dbfs
