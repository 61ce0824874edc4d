#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "dbfs/op.h"

// How much one request may receive and how long it may run, from what it carries and asks for.
// A server may trickle or flood; these keep every call bounded in time and memory.
namespace dbfs::limits {

// get-status, create, mkdirs, errors...: a few hundred bytes in practice.
inline constexpr size_t kSmallAnswer = 256 << 10;
// Room for the JSON around a read answer's base64 data ({"bytes_read":N,"data":"..."}).
inline constexpr size_t kReadAnswerSlack = 4 << 10;
// A listing: ~100 bytes an entry, so some five million entries. Beyond that a directory must be
// read name by name.
inline constexpr size_t kListAnswer = size_t{512} << 20;
// The slowest transfer a request's deadline allows for on top of the inactivity timeout: a
// 1 MiB block (1.4 MB of base64) then gets ~21 s more.
inline constexpr int64_t kMinBytesPerSecond = 64 << 10;
// What an attempt always gets, even when the call's budget is (nearly) spent: one attempt can
// always happen.
inline constexpr std::chrono::milliseconds kMinAttemptTime{5000};

// The most bytes the answer of `op` may hold; `read_length` is what a read asks for
// (ignored for other ops), `list_answer` the cap of a listing.
size_t max_answer(Op op, int64_t read_length, size_t list_answer = kListAnswer);

// How long one request may run in all: `inactivity` (http_timeout, which also bounds a stall)
// plus what its body and its largest answer need at kMinBytesPerSecond.
std::chrono::milliseconds request_deadline(std::chrono::milliseconds inactivity,
                                           size_t bytes_out, size_t max_answer);

// The timeout of one attempt: its own deadline, but no later than the call's budget allows
// (`budget_left`, possibly negative), though never less than kMinAttemptTime.
std::chrono::milliseconds attempt_timeout(std::chrono::milliseconds deadline,
                                          std::chrono::milliseconds budget_left);

}  // namespace dbfs::limits
