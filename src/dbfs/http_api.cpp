#include "dbfs/http_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "dbfs/json_codec.h"
#include "dbfs/listing.h"
#include "dbfs/path.h"
#include "dbfs/url.h"

namespace dbfs {
namespace {

using json::RequestBody;

// The canonical form of `path`; a path DBFS cannot name fails here, without a request.
std::string canonical(Op op, const std::string& path) {
  std::optional<std::string> normal = path::normalize(path);
  if (!normal) {
    throw ApiError::http(std::string(op_name(op)), 400, "INVALID_PARAMETER_VALUE",
                         "not a valid DBFS path (not sent): \"" + json::excerpt(path) + "\"");
  }
  return *std::move(normal);
}

bool is_success(int status) { return status >= 200 && status < 300; }

}  // namespace

HttpApi::HttpApi(HttpApiConfig config)
    : config_(std::move(config)),
      transport_(config_.transport),
      retry_(config_.retry, config_.clock),
      governor_(config_.clock),
      reachability_("the DBFS server " + config_.host, config_.clock) {
  std::string host = config_.host;
  while (host.ends_with('/')) host.pop_back();
  base_url_ = host + "/api/2.0/dbfs/";
}

ApiStats HttpApi::stats() const {
  ApiStats stats = counters_.snapshot();
  stats.connections_opened = transport_.connections_opened();
  return stats;
}

HttpResponse HttpApi::call(Call call) {
  const std::string op(op_name(call.op));
  HttpRequest request = request_for(call, op);
  const auto deadline = limits::request_deadline(
      std::chrono::milliseconds(config_.transport.inactivity_timeout), call.body.size(),
      request.max_answer);
  const auto start = std::chrono::steady_clock::now();
  HttpResponse response;
  int retries = 0;
  auto attempt_once = [&](const Attempt& attempt) {
    prepare(request, deadline, attempt);
    response = send(call.op, request);
    if (is_success(response.status)) return;
    ApiError error = json::parse_error(op, response.status, response.body);
    error.set_retry_after(response.retry_after);
    if (call.absolve && call.absolve(error, attempt)) {
      response = HttpResponse{200, "{}"};
      return;
    }
    throw error;
  };
  try {
    // No retry once the server is known to be unreachable: each call then fails at once.
    retry_.run(call.safety, attempt_once, retries,
               [&] { return call.once || reachability_.unreachable(); });
  } catch (const ApiError& error) {
    record(call, start, retries, /*failed=*/true, error.what(), response.body.size());
    throw;
  }
  record(call, start, retries, /*failed=*/false, std::to_string(response.status),
         response.body.size());
  return response;
}

HttpRequest HttpApi::request_for(const Call& call, const std::string& op) const {
  HttpRequest request{op, call.method, base_url_ + op};
  if (!call.query.empty()) request.url += "?" + call.query;
  request.body = call.body;
  // An absolver must see an ambiguous attempt as such, so libcurl may not hide it by resending.
  request.may_resend = call.safety == RetrySafety::kIdempotent && !call.absolve;
  request.max_answer = call.max_answer ? call.max_answer
                                       : limits::max_answer(call.op, 0, config_.max_list_answer);
  return request;
}

void HttpApi::prepare(HttpRequest& request, std::chrono::milliseconds deadline,
                      const Attempt& attempt) {
  request.authorization = config_.token ? config_.token->authorization() : std::string();
  governor_.before_request();
  request.timeout = limits::attempt_timeout(
      deadline, std::chrono::duration_cast<std::chrono::milliseconds>(attempt.budget_end -
                                                                      config_.clock.now()));
  // A server that is gone gets one quick try per call, not the full connect timeout.
  request.connect_timeout =
      reachability_.unreachable()
          ? std::min<std::chrono::milliseconds>(Reachability::kProbeConnectTimeout,
                                                config_.transport.connect_timeout)
          : std::chrono::milliseconds(0);
}

HttpResponse HttpApi::send(Op op, const HttpRequest& request) {
  HttpResponse response;
  try {
    response = transport_.perform(request);
  } catch (const ApiError& error) {
    reachability_.on_failure(error);
    throw;
  }
  reachability_.on_answer();
  counters_.add_bytes(op, request.body.size(), response.body.size());
  if (response.status == 429) {
    governor_.on_throttled(response.retry_after);
  } else {
    governor_.on_success();
  }
  return response;
}

void HttpApi::record(const Call& call, std::chrono::steady_clock::time_point start, int retries,
                     bool failed, std::string_view outcome, size_t bytes_received) {
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  counters_.add_call(call.op, latency, failed, retries);
  spdlog::debug("{} {} -> {} in {:.1f} ms, {} B out, {} B in, {} retries", op_name(call.op),
                call.subject, outcome, static_cast<double>(latency.count()) / 1000.0,
                call.body.size(), bytes_received, retries);
}

HttpResponse HttpApi::get(Op op, const std::string& path, std::string extra_query, bool once) {
  std::string query = url::encode_pairs({{"path", path}});
  if (!extra_query.empty()) query += "&" + extra_query;
  Call get_call{op, path, HttpMethod::kGet, std::move(query)};
  get_call.once = once;
  return call(std::move(get_call));
}

HttpResponse HttpApi::post(Op op, std::string_view subject, std::string body, RetrySafety safety,
                           Absolve absolve) {
  return call({op, subject, HttpMethod::kPost, {}, std::move(body), safety, std::move(absolve)});
}

FileInfo HttpApi::get_status(const std::string& path) {
  std::string p = canonical(Op::kGetStatus, path);
  return json::parse_file_info(op_name(Op::kGetStatus), get(Op::kGetStatus, p).body);
}

std::vector<FileInfo> HttpApi::list(const std::string& path) {
  std::string p = canonical(Op::kList, path);
  std::vector<FileInfo> entries = json::parse_list(op_name(Op::kList), get(Op::kList, p).body);
  keep_direct_children(p, entries);
  return entries;
}

std::vector<FileInfo> HttpApi::list_once(const std::string& path) {
  std::string p = canonical(Op::kList, path);
  std::vector<FileInfo> entries =
      json::parse_list(op_name(Op::kList), get(Op::kList, p, {}, true).body);
  keep_direct_children(p, entries);
  return entries;
}

HttpResponse HttpApi::get_read(const std::string& path, int64_t offset, int64_t length) {
  std::string p = canonical(Op::kRead, path);
  int64_t asked = std::min(length, kMaxBlock);
  Call read{Op::kRead, p, HttpMethod::kGet,
            url::encode_pairs({{"path", p},
                               {"offset", std::to_string(offset)},
                               {"length", std::to_string(asked)}})};
  // No more than what was asked for, base64-encoded, in its JSON.
  read.max_answer = limits::max_answer(Op::kRead, asked);
  return call(std::move(read));
}

int64_t HttpApi::read(const std::string& path, int64_t offset, int64_t length, std::string& out) {
  HttpResponse response = get_read(path, offset, length);
  int64_t n = json::parse_read(op_name(Op::kRead), response.body, out);
  if (n > std::min(length, kMaxBlock)) {
    throw ApiError::protocol("read", response.status,
                             "answered " + std::to_string(n) + " bytes for a read of " +
                                 std::to_string(std::min(length, kMaxBlock)));
  }
  return n;
}

int64_t HttpApi::read_into(const std::string& path, int64_t offset, int64_t length, char* out) {
  HttpResponse response = get_read(path, offset, length);
  return json::parse_read_into(op_name(Op::kRead), response.body, out,
                               static_cast<size_t>(std::max<int64_t>(0, std::min(length, kMaxBlock))));
}

void HttpApi::put(const std::string& path, std::string_view contents, bool overwrite) {
  std::string p = canonical(Op::kPut, path);
  std::string body = RequestBody().add("path", p).add("overwrite", overwrite)
                         .finish_with_base64("contents", contents);
  // Without overwrite, a repeat of a put that was applied fails with RESOURCE_ALREADY_EXISTS.
  post(Op::kPut, p, std::move(body),
       overwrite ? RetrySafety::kIdempotent : RetrySafety::kNotAfterAmbiguous);
}

int64_t HttpApi::create(const std::string& path, bool overwrite) {
  std::string p = canonical(Op::kCreate, path);
  std::string body = RequestBody().add("path", p).add("overwrite", overwrite).finish();
  HttpResponse response = post(Op::kCreate, p, std::move(body),
                               overwrite ? RetrySafety::kIdempotent
                                         : RetrySafety::kNotAfterAmbiguous);
  return json::parse_handle(op_name(Op::kCreate), response.body);
}

void HttpApi::add_block(int64_t handle, std::string_view data) {
  // A repeated add-block appends twice: after an ambiguous failure the uploader must start over.
  std::string subject = "handle " + std::to_string(handle);
  post(Op::kAddBlock, subject,
       RequestBody().add("handle", handle).finish_with_base64("data", data),
       RetrySafety::kNotAfterAmbiguous);
}

void HttpApi::close(int64_t handle) {
  std::string subject = "handle " + std::to_string(handle);
  post(Op::kClose, subject, RequestBody().add("handle", handle).finish(),
       RetrySafety::kNotAfterAmbiguous);
}

void HttpApi::remove(const std::string& path, bool recursive) {
  std::string p = canonical(Op::kDelete, path);
  std::string body = RequestBody().add("path", p).add("recursive", recursive).finish();
  for (int round = 1;; ++round) {
    try {
      post(Op::kDelete, p, body);
      return;
    } catch (const ApiError& error) {
      if (error.error_code() != "PARTIAL_DELETE" || round >= config_.max_partial_delete_rounds) {
        throw;
      }
      spdlog::debug("delete {}: partially done, continuing (round {})", p, round);
    }
  }
}

void HttpApi::mkdirs(const std::string& path) {
  std::string p = canonical(Op::kMkdirs, path);
  post(Op::kMkdirs, p, RequestBody().add("path", p).finish());
}

void HttpApi::move(const std::string& source, const std::string& destination) {
  std::string from = canonical(Op::kMove, source);
  std::string to = canonical(Op::kMove, destination);
  std::string body = RequestBody().add("source_path", from).add("destination_path", to).finish();
  // Retried after an ambiguous failure; if that retry finds the source gone or the destination
  // taken, and the move's outcome is there to see, the first attempt did the work.
  auto absolve = [&](const ApiError& error, const Attempt& attempt) {
    return attempt.after_ambiguous && (error.is_not_found() || error.is_already_exists()) &&
           move_happened(from, to);
  };
  post(Op::kMove, from + " -> " + to, std::move(body), RetrySafety::kIdempotent, absolve);
}

bool HttpApi::move_happened(const std::string& source, const std::string& destination) {
  try {
    get_status(destination);
  } catch (const ApiError& error) {
    if (error.is_not_found()) return false;
    throw;
  }
  try {
    get_status(source);
    return false;
  } catch (const ApiError& error) {
    if (error.is_not_found()) return true;
    throw;
  }
}

}  // namespace dbfs
