#include "dbfs/retry.h"

#include <gtest/gtest.h>

#include <vector>

namespace dbfs {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A clock that only moves when the policy sleeps, and a chosen "random" number.
struct FakeTime {
  std::chrono::steady_clock::time_point now{};
  std::vector<milliseconds> sleeps;
  double random = 0.5;

  RetryClock clock() {
    return {[this] { return now; },
            [this](milliseconds wait) {
              sleeps.push_back(wait);
              now += wait;
            },
            [this] { return random; }};
  }
};

RetryOptions options(milliseconds budget = milliseconds(120000)) {
  return {milliseconds(100), milliseconds(1000), budget};
}

ApiError http(int status, std::string code = "") {
  return ApiError::http("list", status, std::move(code), "m");
}

ApiError no_answer(std::string_view classifier, bool ambiguous) {
  return ApiError::transport("add-block", classifier, "m", ambiguous);
}

// Runs a call that fails with `errors` in turn, then succeeds; returns the attempts made.
int attempts_until_success(const RetryPolicy& policy, RetrySafety safety,
                           std::vector<ApiError> errors, int* retries_out = nullptr) {
  int attempts = 0, retries = 0;
  policy.run(safety, [&](const Attempt&) {
    if (static_cast<size_t>(attempts++) < errors.size()) throw errors[attempts - 1];
  }, retries);
  if (retries_out) *retries_out = retries;
  return attempts;
}

TEST(RetryPolicy, BackoffCeilingDoublesUpToTheMaximum) {
  FakeTime time;
  time.random = 0.999999;
  RetryPolicy policy(options(), time.clock());
  EXPECT_EQ(policy.backoff(0), milliseconds(99));
  EXPECT_EQ(policy.backoff(1), milliseconds(199));
  EXPECT_EQ(policy.backoff(2), milliseconds(399));
  EXPECT_EQ(policy.backoff(3), milliseconds(799));
  EXPECT_EQ(policy.backoff(4), milliseconds(999));
  EXPECT_EQ(policy.backoff(60), milliseconds(999));
}

TEST(RetryPolicy, FullJitterSpansZeroToTheCeiling) {
  FakeTime time;
  RetryPolicy policy(options(), time.clock());
  time.random = 0.0;
  EXPECT_EQ(policy.backoff(3), milliseconds(0));
  time.random = 0.5;
  EXPECT_EQ(policy.backoff(3), milliseconds(400));
}

TEST(RetryPolicy, RealRandomStaysWithinBounds) {
  RetryPolicy policy(options());
  for (int i = 0; i < 1000; ++i) {
    milliseconds wait = policy.backoff(2);
    EXPECT_GE(wait, milliseconds(0));
    EXPECT_LT(wait, milliseconds(400));
  }
}

TEST(RetryPolicy, RetriesTransientFailuresThenSucceeds) {
  FakeTime time;
  RetryPolicy policy(options(), time.clock());
  int retries = 0;
  EXPECT_EQ(attempts_until_success(policy, RetrySafety::kIdempotent,
                                   {http(503, "TEMPORARILY_UNAVAILABLE"), http(429), http(502),
                                    http(504), no_answer(ApiError::kConnectionLost, true)},
                                   &retries),
            6);
  EXPECT_EQ(retries, 5);
  EXPECT_EQ(time.sleeps, (std::vector<milliseconds>{milliseconds(50), milliseconds(100),
                                                     milliseconds(200), milliseconds(400),
                                                     milliseconds(500)}));
}

TEST(RetryPolicy, HonoursRetryAfter) {
  FakeTime time;
  RetryPolicy policy(options(), time.clock());
  ApiError limited = http(429, "REQUEST_LIMIT_EXCEEDED");
  limited.set_retry_after(seconds(3));
  EXPECT_EQ(attempts_until_success(policy, RetrySafety::kIdempotent, {limited}), 2);
  EXPECT_EQ(time.sleeps, std::vector<milliseconds>{milliseconds(3000)});
}

TEST(RetryPolicy, GivesUpWhenTheBudgetIsSpent) {
  FakeTime time;
  time.random = 0.999;
  RetryPolicy policy(options(milliseconds(5000)), time.clock());
  int attempts = 0, retries = 0;
  try {
    policy.run(RetrySafety::kIdempotent, [&](const Attempt&) {
      ++attempts;
      throw http(503);
    }, retries);
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.http_status(), 503);
  }
  EXPECT_EQ(retries, attempts - 1);
  EXPECT_LE(time.now - std::chrono::steady_clock::time_point{}, milliseconds(5000));
  EXPECT_GT(time.now - std::chrono::steady_clock::time_point{}, milliseconds(4000));
}

TEST(RetryPolicy, RetryAfterBeyondTheBudgetFailsAtOnce) {
  FakeTime time;
  RetryPolicy policy(options(milliseconds(5000)), time.clock());
  ApiError limited = http(429);
  limited.set_retry_after(seconds(60));
  EXPECT_THROW(attempts_until_success(policy, RetrySafety::kIdempotent, {limited}), ApiError);
  EXPECT_TRUE(time.sleeps.empty());
}

TEST(RetryPolicy, NeverRetriesAnAmbiguousFailureOfAnUnsafeCall) {
  FakeTime time;
  RetryPolicy policy(options(), time.clock());
  int attempts = 0, retries = 0;
  try {
    policy.run(RetrySafety::kNotAfterAmbiguous, [&](const Attempt&) {
      ++attempts;
      throw no_answer(ApiError::kConnectionLost, true);
    }, retries);
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.ambiguous());
  }
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(retries, 0);
  ApiError gateway = ApiError::http("add-block", 504, "", "");
  EXPECT_FALSE(policy.should_retry(gateway, RetrySafety::kNotAfterAmbiguous));
  EXPECT_TRUE(policy.should_retry(gateway, RetrySafety::kIdempotent));
}

TEST(RetryPolicy, RetriesAnUnsafeCallThatCertainlyWasNotApplied) {
  FakeTime time;
  RetryPolicy policy(options(), time.clock());
  EXPECT_EQ(attempts_until_success(policy, RetrySafety::kNotAfterAmbiguous,
                                   {no_answer(ApiError::kConnectFailed, false), http(429),
                                    http(503, "TEMPORARILY_UNAVAILABLE")}),
            4);
}

TEST(RetryPolicy, DoesNotRetryWhatARetryCannotFix) {
  RetryPolicy policy(options());
  for (const ApiError& e : {http(500, "INTERNAL_ERROR"), http(404, "RESOURCE_DOES_NOT_EXIST"),
                            http(400, "INVALID_PARAMETER_VALUE"), http(403, "403"),
                            http(503, "PARTIAL_DELETE"), no_answer(ApiError::kTlsFailed, false)}) {
    EXPECT_FALSE(policy.should_retry(e, RetrySafety::kIdempotent)) << e.what();
  }
}

TEST(RetryPolicy, TellsLaterAttemptsAboutAnEarlierAmbiguousOne) {
  FakeTime time;
  RetryPolicy policy(options(), time.clock());
  std::vector<Attempt> seen;
  int retries = 0;
  policy.run(RetrySafety::kIdempotent, [&](const Attempt& attempt) {
    seen.push_back(attempt);
    if (seen.size() == 1) throw http(503);
    if (seen.size() == 2) throw ApiError::timeout("move", "", "", true);
  }, retries);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_FALSE(seen[1].after_ambiguous);
  EXPECT_TRUE(seen[2].after_ambiguous);
  EXPECT_EQ(seen[2].retries, 2);
}

TEST(RetryPolicy, TellsEachAttemptWhenTheBudgetEnds) {
  FakeTime time;
  time.now += seconds(100);
  RetryPolicy policy(options(milliseconds(5000)), time.clock());
  std::vector<Attempt> seen;
  int retries = 0;
  policy.run(RetrySafety::kIdempotent, [&](const Attempt& attempt) {
    seen.push_back(attempt);
    if (seen.size() < 3) throw http(503);
  }, retries);
  ASSERT_EQ(seen.size(), 3u);
  for (const Attempt& attempt : seen) {
    EXPECT_EQ(attempt.budget_end, std::chrono::steady_clock::time_point{} + seconds(105));
  }
}

TEST(RetryPolicy, AHopelessCallFailsAtOnceWithItsError) {
  FakeTime time;
  RetryPolicy policy(options(), time.clock());
  int attempts = 0, retries = 0, asked = 0;
  bool hopeless = false;
  auto run = [&] {
    policy.run(RetrySafety::kIdempotent, [&](const Attempt&) {
      ++attempts;
      throw no_answer(ApiError::kConnectFailed, false);
    }, retries, [&] {
      ++asked;
      return hopeless || attempts >= 3;
    });
  };
  EXPECT_THROW(run(), ApiError);
  EXPECT_EQ(attempts, 3) << "retried until it became hopeless";
  EXPECT_EQ(retries, 2);
  hopeless = true;
  attempts = 0;
  retries = 0;
  time.sleeps.clear();
  EXPECT_THROW(run(), ApiError);
  EXPECT_EQ(attempts, 1);
  EXPECT_TRUE(time.sleeps.empty());
  // Asked only about failures worth retrying.
  asked = 0;
  EXPECT_THROW(policy.run(RetrySafety::kIdempotent, [](const Attempt&) { throw http(404); },
                          retries, [&] { return ++asked > 0; }),
               ApiError);
  EXPECT_EQ(asked, 0);
}

}  // namespace
}  // namespace dbfs
