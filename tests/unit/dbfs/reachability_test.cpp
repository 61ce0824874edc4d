#include "dbfs/reachability.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace dbfs {
namespace {

using std::chrono::milliseconds;

struct FakeTime {
  std::chrono::steady_clock::time_point now{};
  RetryClock clock() {
    return {[this] { return now; }, [this](milliseconds wait) { now += wait; }, [] { return 0.5; }};
  }
};

ApiError no_server(std::string_view code = ApiError::kConnectFailed,
                   ApiError::Kind kind = ApiError::Kind::kTransport) {
  std::string what = "http://127.0.0.1:1/...: refused";
  if (kind == ApiError::Kind::kTimeout) return ApiError::timeout("get-status", code, what, false);
  return ApiError::transport("get-status", code, what, false);
}

// Captures what is logged while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }
  size_t count(const std::string& what) const {
    size_t n = 0;
    std::string all = text();
    for (size_t at = all.find(what); at != std::string::npos; at = all.find(what, at + 1)) ++n;
    return n;
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(Reachability, WhatCountsAsNoServer) {
  EXPECT_TRUE(Reachability::means_no_server(no_server()));
  EXPECT_TRUE(Reachability::means_no_server(no_server(ApiError::kConnectionLost)));
  EXPECT_TRUE(Reachability::means_no_server(
      no_server(ApiError::kConnectFailed, ApiError::Kind::kTimeout)));
  // A server that is there, if slow, untrusted or failing.
  EXPECT_FALSE(Reachability::means_no_server(
      no_server(ApiError::kTimedOut, ApiError::Kind::kTimeout)));
  EXPECT_FALSE(Reachability::means_no_server(no_server(ApiError::kTlsFailed)));
  EXPECT_FALSE(Reachability::means_no_server(ApiError::http("list", 503, "", "")));
  EXPECT_FALSE(Reachability::means_no_server(
      ApiError::protocol("list", 200, "too long")));
}

TEST(Reachability, UnreachableOnlyAfterFailingForTheWholeThreshold) {
  FakeTime time;
  LogCapture log;
  Reachability server("the server", time.clock(), milliseconds(3000));
  EXPECT_FALSE(server.unreachable());
  for (int i = 0; i < 10; ++i) {
    server.on_failure(no_server());
    time.now += milliseconds(290);
  }
  EXPECT_FALSE(server.unreachable()) << "2.9 s of failures";
  time.now += milliseconds(100);
  server.on_failure(no_server());
  EXPECT_TRUE(server.unreachable());
  server.on_failure(no_server());
  EXPECT_EQ(log.count("the server is unreachable"), 1u) << log.text();
}

TEST(Reachability, AnyAnswerInBetweenStartsTheCountAgain) {
  FakeTime time;
  Reachability server("the server", time.clock(), milliseconds(3000));
  server.on_failure(no_server());
  time.now += milliseconds(2000);
  server.on_answer();
  time.now += milliseconds(2000);
  server.on_failure(no_server());
  EXPECT_FALSE(server.unreachable());
  time.now += milliseconds(2000);
  server.on_failure(no_server());
  EXPECT_FALSE(server.unreachable());
  // A failure that found a server is an answer too.
  server.on_failure(ApiError::timeout("list", ApiError::kTimedOut, "slow", true));
  time.now += milliseconds(2000);
  server.on_failure(no_server());
  EXPECT_FALSE(server.unreachable());
  time.now += milliseconds(3000);
  server.on_failure(no_server());
  EXPECT_TRUE(server.unreachable());
}

TEST(Reachability, AnAnswerMakesItReachableAgainAndIsLoggedOnce) {
  FakeTime time;
  LogCapture log;
  Reachability server("the server", time.clock(), milliseconds(3000));
  server.on_failure(no_server());
  time.now += milliseconds(3000);
  server.on_failure(no_server());
  ASSERT_TRUE(server.unreachable());
  server.on_answer();
  server.on_answer();
  EXPECT_FALSE(server.unreachable());
  EXPECT_EQ(log.count("the server answers again"), 1u) << log.text();
  // And down again only after a whole new threshold.
  server.on_failure(no_server());
  EXPECT_FALSE(server.unreachable());
  time.now += milliseconds(3000);
  server.on_failure(no_server());
  EXPECT_TRUE(server.unreachable());
  EXPECT_EQ(log.count("the server is unreachable"), 2u) << log.text();
}

}  // namespace
}  // namespace dbfs
