#pragma once

#include <functional>
#include <memory>
#include <string>

#include "dbfs/api.h"
#include "dbfs/api_error.h"
#include "dbfs/api_stats.h"
#include "dbfs/rate_governor.h"
#include "dbfs/reachability.h"
#include "dbfs/request_limits.h"
#include "dbfs/retry.h"
#include "dbfs/token_provider.h"
#include "dbfs/transport.h"

namespace dbfs {

struct HttpApiConfig {
  // Workspace base URL, scheme included, no path: "https://adb-1.2.azuredatabricks.net".
  std::string host;
  std::shared_ptr<TokenProvider> token;
  TransportOptions transport;
  RetryOptions retry;
  RetryClock clock = RetryClock::real();
  // A recursive delete answered PARTIAL_DELETE is repeated; each round deletes for ~45 s, so this
  // bounds a delete that makes no end at hours, not at a fixed tree size.
  int max_partial_delete_rounds = 1000;
  // The most bytes a list answer may hold (see request_limits.h); smaller in tests.
  size_t max_list_answer = limits::kListAnswer;
};

// The DBFS API over HTTPS: libcurl transport, retries, JSON codec, per-operation counters.
// Every call is bounded: each request by a deadline from its size, its answer by a cap per
// operation, and all of a call's attempts by the retry budget; once the server is unreachable,
// a call makes a single attempt (Reachability). Thread-safe; every call may run concurrently
// with any other.
class HttpApi : public Api {
 public:
  explicit HttpApi(HttpApiConfig config);

  FileInfo get_status(const std::string& path) override;
  std::vector<FileInfo> list(const std::string& path) override;
  std::vector<FileInfo> list_once(const std::string& path) override;
  int64_t read(const std::string& path, int64_t offset, int64_t length, std::string& out) override;
  int64_t read_into(const std::string& path, int64_t offset, int64_t length, char* out) override;
  void put(const std::string& path, std::string_view contents, bool overwrite) override;
  int64_t create(const std::string& path, bool overwrite) override;
  void add_block(int64_t handle, std::string_view data) override;
  void close(int64_t handle) override;
  void remove(const std::string& path, bool recursive) override;
  void mkdirs(const std::string& path) override;
  void move(const std::string& source, const std::string& destination) override;

  ApiStats stats() const;

 private:
  // Decides, for an error answer, that the call succeeded after all (a move whose first,
  // ambiguous attempt did the work).
  using Absolve = std::function<bool(const ApiError&, const Attempt&)>;

  struct Call {
    Op op;
    std::string_view subject;  // the path or handle, for the debug log
    HttpMethod method = HttpMethod::kGet;
    std::string query;
    std::string body;
    RetrySafety safety = RetrySafety::kIdempotent;
    Absolve absolve;
    bool once = false;  // one attempt, no retries
    size_t max_answer = 0;  // the most its answer may hold; 0: the op's (limits::max_answer)
  };

  HttpResponse call(Call call);
  // The request `call` sends; its views point into `call` and `op`, which must outlive it.
  HttpRequest request_for(const Call& call, const std::string& op) const;
  // Readies `request` for `attempt`: a fresh credential, the rate governor's turn, and the time
  // left of the request's `deadline` and of the call's budget.
  void prepare(HttpRequest& request, std::chrono::milliseconds deadline, const Attempt& attempt);
  // One exchange, its outcome told to the reachability judge, the rate governor and the
  // counters. Any HTTP status returns; no answer throws.
  HttpResponse send(Op op, const HttpRequest& request);
  // Counts a finished call and logs it at debug level.
  void record(const Call& call, std::chrono::steady_clock::time_point start, int retries,
              bool failed, std::string_view outcome, size_t bytes_received);
  // The read endpoint's answer for [offset, offset + min(length, kMaxBlock)).
  HttpResponse get_read(const std::string& path, int64_t offset, int64_t length);
  HttpResponse get(Op op, const std::string& path, std::string extra_query = {},
                   bool once = false);
  HttpResponse post(Op op, std::string_view subject, std::string body,
                    RetrySafety safety = RetrySafety::kIdempotent, Absolve absolve = {});
  bool move_happened(const std::string& source, const std::string& destination);

  HttpApiConfig config_;
  std::string base_url_;  // "{host}/api/2.0/dbfs/"
  Transport transport_;
  RetryPolicy retry_;
  RateGovernor governor_;
  Reachability reachability_;
  ApiCounters counters_;
};

}  // namespace dbfs
