#include "dbfs/rate_governor.h"

#include <gtest/gtest.h>

namespace dbfs {
namespace {

using namespace std::chrono_literals;

// Time moves only when the governor sleeps, or when the test says so.
struct FakeTime {
  std::chrono::steady_clock::time_point now{};
  std::chrono::milliseconds slept{0};
  RetryClock clock() {
    return {[this] { return now; },
            [this](std::chrono::milliseconds d) {
              now += d;
              slept += d;
            },
            [] { return 0.5; }};
  }
};

TEST(RateGovernor, UnlimitedUntilTheFirst429) {
  FakeTime t;
  RateGovernor g(t.clock());
  for (int i = 0; i < 1000; ++i) g.before_request();
  EXPECT_EQ(t.slept, 0ms);
  EXPECT_EQ(g.rate(), 0);
}

TEST(RateGovernor, A429HalvesTheRateSeenAndSpacesRequests) {
  FakeTime t;
  RateGovernor g(t.clock());
  for (int i = 0; i < 100; ++i) {
    g.before_request();
    t.now += 10ms;  // 100 requests/s
  }
  g.on_throttled(0s);
  EXPECT_NEAR(g.rate(), 50, 1);
  auto start = t.now;
  for (int i = 0; i < 50; ++i) g.before_request();
  EXPECT_NEAR(std::chrono::duration<double>(t.now - start).count(), 1.0, 0.05);
}

TEST(RateGovernor, RetryAfterHoldsEveryRequest) {
  FakeTime t;
  RateGovernor g(t.clock());
  g.before_request();
  g.on_throttled(2s);
  auto start = t.now;
  g.before_request();
  EXPECT_GE(t.now - start, 2s);
}

TEST(RateGovernor, SuccessesRaiseTheRateSlowly) {
  FakeTime t;
  RateGovernor g(t.clock());
  g.before_request();
  g.on_throttled(0s);
  double low = g.rate();
  for (int i = 0; i < 10; ++i) g.on_success();
  EXPECT_GT(g.rate(), low);
  EXPECT_LT(g.rate(), low + 11);
  // About one more request/s per second at the current rate: from 1/s, ~10/s after ~50 s.
  for (int i = 0; i < 500; ++i) g.on_success();
  EXPECT_NEAR(g.rate(), 32, 2);
}

}  // namespace
}  // namespace dbfs
