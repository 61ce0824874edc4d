#pragma once

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

// The answers of a hostile or broken server (the fault effects short, long, trickle, oversize,
// oversize-chunked, entries, hostile, echo-auth): what a client must survive without trusting.
// The big ones are produced piece by piece by an httplib content provider, after the handler
// returns, so that a 1 GiB answer costs no 1 GiB of memory. Functions returning a size return the
// body bytes such a provider sends (res.body stays empty), for the stats.
namespace emulator::hostile {

// Set when the server stops: a streamed answer then ends at once instead of running out.
using StopFlag = std::shared_ptr<const std::atomic<bool>>;

// Instead of the operation (not applied).

// oversize / oversize-chunked: 200 with a valid JSON body of about `mib` MiB: for read
// {"bytes_read":N,"data":"AAAA..."}, for other ops {"padding":"xxxx..."}; with a Content-Length
// or, when `chunked`, in chunked transfer encoding.
uint64_t oversize(httplib::Response& res, std::string_view op, int64_t mib, bool chunked,
                  StopFlag stop);
// echo-auth: 400 INVALID_PARAMETER_VALUE whose message repeats `authorization` plain,
// base64-encoded and percent-encoded, the way a careless server leaks a token into an error.
void echo_auth(httplib::Response& res, std::string_view op, const std::string& authorization);

// Reshaping the 200 answer of the applied operation.

// short: a read answer ({"bytes_read":N,"data":...}) cut to half its bytes, rounded down.
void shorten_read(std::string& answer);
// long=N: a read answer with `extra` bytes ('X') after the real ones, counted in bytes_read.
void lengthen_read(std::string& answer, int64_t extra);
// hostile: a list answer of directory `dir` followed by entries no client should take as they
// come (a '/' inside a name, "..", ".", a path outside `dir`, an empty name, a NUL inside a
// name) and the first real entry again.
void add_hostile_entries(std::string& answer, const std::string& dir);
// entries=N: the list answer of `dir` replaced by `n` files dir/f0000001... of 1 byte, streamed.
uint64_t synthetic_listing(httplib::Response& res, const std::string& dir, int64_t n,
                           StopFlag stop);
// trickle=BPS: res's body, whatever its status, sent at about `bps` bytes per second.
uint64_t trickle(httplib::Response& res, int64_t bps, StopFlag stop);

}  // namespace emulator::hostile
