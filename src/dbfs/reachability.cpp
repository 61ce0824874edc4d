#include "dbfs/reachability.h"

#include <spdlog/spdlog.h>

namespace dbfs {

Reachability::Reachability(std::string server, RetryClock clock,
                           std::chrono::milliseconds unreachable_after)
    : server_(std::move(server)), clock_(std::move(clock)), unreachable_after_(unreachable_after) {}

bool Reachability::means_no_server(const ApiError& error) {
  if (error.http_status() != 0) return false;
  if (error.kind() != ApiError::Kind::kTransport && error.kind() != ApiError::Kind::kTimeout) {
    return false;
  }
  // A TLS failure has found a server (the wrong one, or one we do not trust); a request timed
  // out after it was sent has found a slow one.
  return error.error_code() == ApiError::kConnectFailed ||
         error.error_code() == ApiError::kConnectionLost;
}

void Reachability::on_answer() {
  if (!failing_.load(std::memory_order_acquire)) return;
  threads::MutexLock lock(mutex_);
  failing_.store(false, std::memory_order_release);
  if (unreachable_.exchange(false, std::memory_order_acq_rel)) {
    spdlog::info("{} answers again: calls retry as usual", server_);
  }
}

void Reachability::on_failure(const ApiError& error) {
  if (!means_no_server(error)) {
    on_answer();  // it failed, but a server was there to fail it
    return;
  }
  threads::MutexLock lock(mutex_);
  TimePoint now = clock_.now();
  if (!failing_.load(std::memory_order_acquire)) {
    failing_since_ = now;
    failing_.store(true, std::memory_order_release);
    return;
  }
  if (now - failing_since_ >= unreachable_after_ && !unreachable_.load(std::memory_order_acquire)) {
    unreachable_.store(true, std::memory_order_release);
    spdlog::warn("{} is unreachable ({}): until it answers again, each call makes a single "
                 "attempt and fails at once", server_, error.what());
  }
}

}  // namespace dbfs
