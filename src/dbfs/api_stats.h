#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "dbfs/op.h"

namespace dbfs {

struct OpStats {
  uint64_t calls = 0;
  uint64_t errors = 0;          // calls that finally failed
  uint64_t retries = 0;         // extra attempts
  uint64_t bytes_sent = 0;      // request bodies, every attempt
  uint64_t bytes_received = 0;  // answer bodies, every attempt
  std::chrono::microseconds latency{0};  // summed over calls, retries and their sleeps included
};

// A consistent-enough copy of the counters at one moment (each counter read atomically).
struct ApiStats {
  std::array<OpStats, kOpCount> ops;
  uint64_t connections_opened = 0;  // TCP (and TLS) connections set up, over all calls

  const OpStats& operator[](Op op) const { return ops[static_cast<size_t>(op)]; }
  // One line per operation that was called: "read: 12 calls, 0 errors, 1 retries, ...".
  std::string summary() const;
};

// The live counters of an HttpApi, updated from any thread.
class ApiCounters {
 public:
  void add_call(Op op, std::chrono::microseconds latency, bool failed, int retries);
  void add_bytes(Op op, uint64_t sent, uint64_t received);
  ApiStats snapshot() const;

 private:
  struct Counters {
    std::atomic<uint64_t> calls{0}, errors{0}, retries{0}, bytes_sent{0}, bytes_received{0};
    std::atomic<int64_t> latency_us{0};
  };
  std::array<Counters, kOpCount> counters_;
};

}  // namespace dbfs
