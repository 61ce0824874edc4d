#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "common/thread_annotations.h"
#include "dbfs/api_error.h"
#include "dbfs/retry.h"

namespace dbfs {

// Whether the server can be reached at all, judged from how the requests of every thread end.
// Once requests have found no server (connection refused, no connection in time, dropped with
// nothing back) for `unreachable_after`, with no answer in between, the server counts as
// unreachable: each call then makes one attempt and fails at once, instead of every call
// spending its whole retry budget on a server that is gone. The first answer of any kind (any
// HTTP status) makes it reachable again. Each change is logged once. Thread-safe.
class Reachability {
 public:
  static constexpr std::chrono::milliseconds kUnreachableAfter{3000};
  // The connect timeout of an attempt while the server is unreachable: a host that swallows
  // packets must not hold each call for the full connect timeout.
  static constexpr std::chrono::milliseconds kProbeConnectTimeout{3000};

  // `server` names it in the log.
  explicit Reachability(std::string server, RetryClock clock = RetryClock::real(),
                        std::chrono::milliseconds unreachable_after = kUnreachableAfter);

  // Whether a request failing with `error` found no server at all.
  static bool means_no_server(const ApiError& error);

  // A request got an answer.
  void on_answer() EXCLUDES(mutex_);
  // A request failed with `error`. A failure that found a server (a timeout after the request
  // went out, a TLS failure, an answer refused) counts as an answer.
  void on_failure(const ApiError& error) EXCLUDES(mutex_);
  bool unreachable() const { return unreachable_.load(std::memory_order_acquire); }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  const std::string server_;
  const RetryClock clock_;
  const std::chrono::milliseconds unreachable_after_;

  // Serialises every change of the state below.
  threads::Mutex mutex_;
  // Since when requests have found no server, with no answer since.
  TimePoint failing_since_ GUARDED_BY(mutex_) = {};
  // Whether failing_since_ is set, and whether the server counts as unreachable. Written only
  // under mutex_; read without it, so that a healthy server's answers take no lock.
  std::atomic<bool> failing_{false};
  std::atomic<bool> unreachable_{false};
};

}  // namespace dbfs
