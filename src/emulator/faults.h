#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/thread_annotations.h"

namespace emulator {

// The fault language of --fault and POST /emulator/v1/faults. Other tests rely on exactly this.
inline constexpr std::string_view kFaultHelp = R"(Fault rules: --fault OPS:TRIGGER:EFFECT (repeatable)
  OPS      *  (every API op)  |  op names joined by '+': add-block+close
           ops: get-status list read put create add-block close delete mkdirs move (DBFS)
                fs.head fs.get fs.put fs.list fs.mkdir fs.delete (Files API: HEAD of a file or
                directory, GET of a file, PUT of a file, GET of a directory, PUT of a
                directory, DELETE of either)
  TRIGGER  always
           p=P        each matching request with probability P (0 < P <= 1)
           every=N    the Nth, 2Nth, 3Nth... matching request
           first=N    the first N matching requests only
           after=N    every matching request after the first N
  EFFECT   status=CODE[,code=ERROR_CODE][,retry-after=SECONDS]
                      that HTTP error with a JSON error body; the operation is not applied.
                      Default error_code: 400 INVALID_PARAMETER_VALUE, 403 PERMISSION_DENIED,
                      404 RESOURCE_DOES_NOT_EXIST, 429 REQUEST_LIMIT_EXCEEDED, 500 INTERNAL_ERROR,
                      503 TEMPORARILY_UNAVAILABLE; other statuses (502, 504...) an empty body
           html=CODE  that status with an HTML page (a proxy's), not applied
           text=CODE  that status with a plain-text body, not applied
           reset      the connection drops before any answer, not applied
           lost       applied, then the connection drops before the answer
           delay=MS   MS more milliseconds, then normal processing
         A hostile or broken server:
           (short, long, entries and hostile change DBFS answers only; trickle slows a JSON
           answer, not a file's bytes)
           short      read: applied; the answer carries half the bytes read (rounded down), with
                      bytes_read saying so. Other ops: no fault
           long=N     read: applied; N more bytes ('X') than read, counted in bytes_read
                      (N <= 67108864). Other ops: no fault
           trickle=BPS  applied; the answer's body is sent at about BPS bytes per second
           oversize=MIB  200 with a valid JSON body of about MIB MiB (read: a base64 "data";
                      other ops: one huge string field), with a Content-Length; not applied
           oversize-chunked=MIB  the same in chunked transfer encoding
           entries=N  list of a directory: N synthetic files DIR/f0000001... (size 1) instead of
                      its entries. Other ops, or list of a file: no fault
           hostile    list of a directory: its entries, then DIR/a/b, DIR/.., DIR/., /etc/passwd,
                      DIR/ (empty name), DIR/nul\u0000cut and the first entry again.
                      Other ops, or list of a file: no fault
           echo-auth  400 INVALID_PARAMETER_VALUE whose message repeats the Authorization header
                      plain, base64- and URL-encoded (a server leaking the token); not applied
  The first rule whose ops and trigger match decides. Each rule counts every request of its own
  ops, whether or not an earlier rule decided it.
  Examples: add-block:p=0.05:status=503   *:every=10:status=429,retry-after=1
            close:first=1:lost   read:always:delay=200   list:first=2:html=502
            read:first=1:short   *:always:trickle=100   list:always:entries=1000000
)";

struct FaultEffect {
  enum class Kind {
    kStatus, kHtml, kText, kReset, kLost, kDelay,
    // A hostile or broken server (hostile_answers.h).
    kShort, kLong, kTrickle, kOversize, kOversizeChunked, kEntries, kHostile, kEchoAuth,
  };
  Kind kind = Kind::kStatus;
  int status = 0;          // kStatus, kHtml, kText
  std::string error_code;  // kStatus: the JSON error_code; empty for an empty body
  int retry_after_s = -1;  // kStatus: the Retry-After header, -1 for none
  int delay_ms = 0;        // kDelay
  // kLong: extra bytes; kTrickle: bytes per second; kOversize*: MiB; kEntries: entries.
  int64_t amount = 0;
};

// Whether the operation runs under `kind` (the answer may then be reshaped or lost); the other
// effects answer, or drop the connection, in its place.
inline bool applies_operation(FaultEffect::Kind kind) {
  using Kind = FaultEffect::Kind;
  switch (kind) {
    case Kind::kLost: case Kind::kDelay: case Kind::kShort: case Kind::kLong:
    case Kind::kTrickle: case Kind::kEntries: case Kind::kHostile:
      return true;
    default:
      return false;
  }
}

struct FaultRule {
  enum class Trigger { kAlways, kProbability, kEvery, kFirst, kAfter };
  std::vector<std::string> ops;  // empty: every op
  Trigger trigger = Trigger::kAlways;
  double probability = 0;  // kProbability
  int64_t n = 0;           // kEvery, kFirst, kAfter
  FaultEffect effect;
};

// Parses one SPEC; throws std::invalid_argument naming what is wrong with it.
FaultRule parse_fault(std::string_view spec);

// The rules in force, deciding what happens to each API request. Thread-safe.
class FaultInjector {
 public:
  FaultInjector();
  // Replaces the rules; their counts start again from zero.
  void set(std::vector<FaultRule> rules) EXCLUDES(mu_);
  // The effect for one request of `op`, if a rule fires.
  std::optional<FaultEffect> decide(std::string_view op) EXCLUDES(mu_);

 private:
  // The rules and their counts, which every request updates.
  threads::Mutex mu_;
  std::vector<FaultRule> rules_ GUARDED_BY(mu_);
  std::vector<int64_t> seen_ GUARDED_BY(mu_);  // per rule: the matching requests so far
  std::mt19937_64 random_ GUARDED_BY(mu_);
};

}  // namespace emulator
