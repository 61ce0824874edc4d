#pragma once

#include <curl/curl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/thread_annotations.h"

namespace dbfs {

struct TransportOptions {
  // PEM bundle of the CAs to trust instead of the system's (a private CA in front of DBFS).
  std::string ca_file;
  // Skips TLS certificate verification: anyone on the path can read the token. Logged loudly.
  bool insecure = false;
  std::chrono::seconds connect_timeout{10};
  // A request that receives (or sends) nothing for this long fails: nothing waits forever.
  std::chrono::seconds inactivity_timeout{60};
  std::string user_agent = "dbfs-fuse/" DBFS_FUSE_VERSION;
};

enum class HttpMethod { kGet, kPost };

struct HttpRequest {
  std::string_view op;  // names the call in errors
  HttpMethod method = HttpMethod::kGet;
  std::string url;
  std::string_view body;  // POST only
  std::string_view content_type = "application/json";
  std::string authorization;  // the Authorization header's value; never logged
  // libcurl resends a request by itself when a reused keep-alive connection dies before any
  // answer arrives; but the server may have applied it. False forbids that: the failure then
  // surfaces as an ambiguous ApiError for the caller to judge.
  bool may_resend = true;
  // The whole request, connecting and the answer included, fails (kTimeout) after this long;
  // zero: only the inactivity timeout bounds it.
  std::chrono::milliseconds timeout{0};
  // Instead of TransportOptions::connect_timeout, when not zero.
  std::chrono::milliseconds connect_timeout{0};
  // The most bytes the answer's body may hold. A longer answer is cut off as soon as it passes
  // this (at its Content-Length, or as it arrives when chunked) and fails as kProtocol: a
  // hostile or broken server cannot make the client hold more.
  size_t max_answer = kDefaultMaxAnswer;

  // Enough for any small JSON answer (a status, a handle, an error, an OAuth token).
  static constexpr size_t kDefaultMaxAnswer = 256 << 10;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::chrono::seconds retry_after{0};  // Retry-After in seconds, when sent
};

// HTTP over libcurl, safe to use from many threads at once. Easy handles are pooled and reused,
// so each keeps its connection alive between calls; DNS answers and TLS sessions are shared
// between them. (libcurl does not support sharing the connection cache itself between threads
// running concurrently, hence a pool of handles that each own their connection.)
class Transport {
 public:
  explicit Transport(TransportOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Any HTTP status is an answer and returns; a failure to get one throws, as an ApiError of
  // kind kTransport or kTimeout, ambiguous when the request may have reached the server. One
  // that never left (refused, or no connection within the connect timeout) has error_code
  // kConnectFailed. An answer longer than request.max_answer throws kProtocol.
  HttpResponse perform(const HttpRequest& request);

  // New connections made so far; far fewer than requests when keep-alive works.
  uint64_t connections_opened() const { return connections_opened_.load(); }

 private:
  // An idle handle from the pool, or a new one.
  CURL* acquire() EXCLUDES(pool_mutex_);
  void release(CURL* handle) EXCLUDES(pool_mutex_);
  // Where `request` goes and how: URL, shared caches, timeouts, TLS.
  void set_connection_options(CURL* curl, const HttpRequest& request) const;
  // libcurl's locking of what share_ holds, one lock for each kind of data.
  static void lock_share(CURL*, curl_lock_data data, curl_lock_access, void* self)
      ACQUIRE(static_cast<Transport*>(self)->share_locks_[data]);
  static void unlock_share(CURL*, curl_lock_data data, void* self)
      RELEASE(static_cast<Transport*>(self)->share_locks_[data]);

  TransportOptions options_;
  CURLSH* share_;
  std::array<threads::Mutex, CURL_LOCK_DATA_LAST> share_locks_;
  std::atomic<uint64_t> connections_opened_{0};

  // The handles not in use, each keeping its connection alive for the next request.
  threads::Mutex pool_mutex_;
  std::vector<CURL*> idle_handles_ GUARDED_BY(pool_mutex_);
};

}  // namespace dbfs
