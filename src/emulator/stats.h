#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace emulator {

// Exact counts of the API traffic, for GET /emulator/v1/stats (tests assert call counts).
// Control endpoints are not counted. Thread-safe.
class Stats {
 public:
  // A request for `op` arrived (counted whatever then happens to it).
  void request(std::string_view op);
  // It was answered with `status`, or dropped without an answer (status 0, counted as "reset").
  // Bytes are HTTP body bytes.
  void answered(int status, uint64_t bytes_in, uint64_t bytes_out);
  void reset();
  // {"requests": {"<op>": n}, "statuses": {"<code>" or "reset": n}, "bytes_in": n, "bytes_out": n}
  std::string json() const;

 private:
  mutable std::mutex mu_;  // guards everything below
  std::map<std::string, int64_t, std::less<>> requests_;
  std::map<std::string, int64_t, std::less<>> statuses_;
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
};

}  // namespace emulator
