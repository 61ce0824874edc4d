#include "dbfs/api_stats.h"

#include <spdlog/fmt/fmt.h>

namespace dbfs {

std::string ApiStats::summary() const {
  std::string text;
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpStats& s = ops[i];
    if (s.calls == 0) continue;
    auto average_ms = static_cast<double>(s.latency.count()) / 1000.0 / static_cast<double>(s.calls);
    text += fmt::format("{}: {} calls, {} errors, {} retries, {} B sent, {} B received, {:.1f} ms avg\n",
                        op_name(static_cast<Op>(i)), s.calls, s.errors, s.retries, s.bytes_sent,
                        s.bytes_received, average_ms);
  }
  text += fmt::format("connections opened: {}\n", connections_opened);
  return text;
}

void ApiCounters::add_call(Op op, std::chrono::microseconds latency, bool failed, int retries) {
  Counters& c = counters_[static_cast<size_t>(op)];
  c.calls.fetch_add(1, std::memory_order_relaxed);
  if (failed) c.errors.fetch_add(1, std::memory_order_relaxed);
  c.retries.fetch_add(static_cast<uint64_t>(retries), std::memory_order_relaxed);
  c.latency_us.fetch_add(latency.count(), std::memory_order_relaxed);
}

void ApiCounters::add_bytes(Op op, uint64_t sent, uint64_t received) {
  Counters& c = counters_[static_cast<size_t>(op)];
  c.bytes_sent.fetch_add(sent, std::memory_order_relaxed);
  c.bytes_received.fetch_add(received, std::memory_order_relaxed);
}

ApiStats ApiCounters::snapshot() const {
  ApiStats stats;
  for (size_t i = 0; i < kOpCount; ++i) {
    const Counters& c = counters_[i];
    OpStats& s = stats.ops[i];
    s.calls = c.calls.load(std::memory_order_relaxed);
    s.errors = c.errors.load(std::memory_order_relaxed);
    s.retries = c.retries.load(std::memory_order_relaxed);
    s.bytes_sent = c.bytes_sent.load(std::memory_order_relaxed);
    s.bytes_received = c.bytes_received.load(std::memory_order_relaxed);
    s.latency = std::chrono::microseconds(c.latency_us.load(std::memory_order_relaxed));
  }
  return stats;
}

}  // namespace dbfs
