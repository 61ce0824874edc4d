#include "dbfs/transport.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <mutex>

#include "dbfs/api_error.h"

namespace dbfs {
namespace {

// The request body, fed to libcurl on demand. `started` tells whether libcurl began sending it:
// until then the server cannot have seen the request, so any failure is safe to retry.
struct Upload {
  std::string_view body;
  bool may_resend;
  size_t offset = 0;
  bool started = false;
};

size_t read_body(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  upload->started = true;
  size_t n = std::min(size * count, upload->body.size() - upload->offset);
  std::memcpy(buffer, upload->body.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// libcurl rewinds when it resends a request on a fresh connection after a reused one had died;
// refusing makes it fail the transfer instead (CURLE_SEND_FAIL_REWIND).
int seek_body(void* user, curl_off_t offset, int origin) {
  auto* upload = static_cast<Upload*>(user);
  if (!upload->may_resend) return CURL_SEEKFUNC_CANTSEEK;
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > upload->body.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  upload->offset = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// The answer as it arrives, and the most of it we accept.
struct Download {
  HttpResponse& response;
  size_t max_answer;
  bool too_big = false;  // cut off: it passed max_answer
};

// Returning less than it was given makes libcurl abort the transfer (CURLE_WRITE_ERROR).
size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* download = static_cast<Download*>(user);
  size_t n = size * count;
  if (n > download->max_answer - download->response.body.size()) {
    download->too_big = true;
    return 0;
  }
  download->response.body.append(data, n);
  return n;
}

bool header_is(std::string_view line, std::string_view name) {
  return line.size() > name.size() && line[name.size()] == ':' &&
         std::equal(name.begin(), name.end(), line.begin(),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

std::string_view header_value(std::string_view line, size_t name_size) {
  line.remove_prefix(name_size + 1);
  size_t start = line.find_first_not_of(" \t");
  size_t end = line.find_last_not_of(" \t\r\n");
  return start == std::string_view::npos ? std::string_view() : line.substr(start, end - start + 1);
}

int64_t header_number(std::string_view value) {
  int64_t number = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  return error == std::errc() && end == value.data() + value.size() ? number : -1;
}

// Picks Retry-After (seconds; an HTTP date is ignored) and sizes the body buffer once from
// Content-Length instead of growing it chunk by chunk; refuses at once an answer announced
// longer than we accept.
size_t read_header(char* data, size_t size, size_t count, void* user) {
  auto* download = static_cast<Download*>(user);
  HttpResponse* response = &download->response;
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response->retry_after = std::chrono::seconds(0);  // a new answer (after 100 Continue)
  } else if (header_is(line, "retry-after")) {
    int64_t seconds = header_number(header_value(line, 11));
    if (seconds > 0) response->retry_after = std::chrono::seconds(seconds);
  } else if (header_is(line, "content-length")) {
    int64_t length = header_number(header_value(line, 14));
    if (length > 0 && static_cast<uint64_t>(length) > download->max_answer) {
      download->too_big = true;
      return 0;
    }
    // 16 spare bytes: json::parse_read's in-situ SSE2 scan wants them, and would otherwise
    // copy the whole answer into a bigger buffer.
    if (length > 0) response->body.reserve(static_cast<size_t>(length) + 16);
  }
  return size * count;
}

bool is_tls_failure(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED: return true;
    default: return false;
  }
}

// `sent`: whether the server may have got the request; `went_out`: whether any byte of it went
// out at all.
ApiError transport_error(CURLcode code, const char* detail, const HttpRequest& request,
                         bool sent, bool went_out) {
  std::string op(request.op);
  std::string where = request.url.substr(0, request.url.find('?'));
  std::string what = where + ": " + (*detail ? detail : curl_easy_strerror(code));
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return ApiError::transport(op, ApiError::kConnectFailed, what, false);
    case CURLE_OPERATION_TIMEDOUT:
      // Out of time before a byte of the request went out: no connection was made in time.
      if (!went_out) return ApiError::timeout(op, ApiError::kConnectFailed, what, false);
      return ApiError::timeout(op, ApiError::kTimedOut, what, sent);
    default: break;
  }
  if (is_tls_failure(code)) {
    what += " (TLS failure: if the server's certificate comes from a private CA, pass that CA "
            "with ca_file; insecure skips verification, which exposes the token)";
    return ApiError::transport(op, ApiError::kTlsFailed, what, false);
  }
  return ApiError::transport(op, ApiError::kConnectionLost, what, sent);
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The request's headers; the list holds the token.
std::unique_ptr<curl_slist, SlistDeleter> headers_of(const HttpRequest& request) {
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&headers](const std::string& header) {
    headers.reset(curl_slist_append(headers.release(), header.c_str()));
  };
  if (!request.authorization.empty()) add_header("Authorization: " + request.authorization);
  add_header("Expect:");  // no 100-continue round trip before each MiB block
  if (request.method == HttpMethod::kPost) {
    add_header("Content-Type: " + std::string(request.content_type));
  }
  return headers;
}

// A POST whose body libcurl takes from `upload` as it sends.
void set_body(CURL* curl, Upload& upload) {
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(upload.body.size()));
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &read_body);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, &seek_body);
  curl_easy_setopt(curl, CURLOPT_SEEKDATA, &upload);
}

// The answer's headers and body go to `download`.
void set_answer(CURL* curl, Download& download) {
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &download);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &read_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &download);
}

// The error of an answer cut off for passing request.max_answer.
ApiError answer_too_big(const HttpRequest& request, int status) {
  // Logged here, whatever the caller does with the error: the server misbehaves.
  spdlog::warn("{}: refused an answer of more than {} bytes, the most a {} answer may hold",
               request.op, request.max_answer, request.op);
  return ApiError::protocol(std::string(request.op), status,
                            "an answer of more than " + std::to_string(request.max_answer) +
                                " bytes, the most a " + std::string(request.op) +
                                " answer may hold");
}

}  // namespace

Transport::Transport(TransportOptions options) : options_(std::move(options)) {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (options_.insecure) {
    spdlog::warn("TLS certificate verification is OFF (insecure): the server is not "
                 "authenticated and anyone on the network path can read the access token");
  }
  share_ = curl_share_init();
  curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &Transport::lock_share);
  curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &Transport::unlock_share);
  curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

Transport::~Transport() {
  for (CURL* handle : idle_handles_) curl_easy_cleanup(handle);
  curl_share_cleanup(share_);
}

void Transport::lock_share(CURL*, curl_lock_data data, curl_lock_access, void* self) {
  static_cast<Transport*>(self)->share_locks_[data].lock();
}

void Transport::unlock_share(CURL*, curl_lock_data data, void* self) {
  static_cast<Transport*>(self)->share_locks_[data].unlock();
}

CURL* Transport::acquire() {
  {
    threads::MutexLock lock(pool_mutex_);
    if (!idle_handles_.empty()) {
      CURL* handle = idle_handles_.back();
      idle_handles_.pop_back();
      return handle;
    }
  }
  CURL* handle = curl_easy_init();
  if (!handle) throw std::bad_alloc();
  return handle;
}

void Transport::release(CURL* handle) {
  threads::MutexLock lock(pool_mutex_);
  idle_handles_.push_back(handle);
}

HttpResponse Transport::perform(const HttpRequest& request) {
  CURL* curl = acquire();
  struct Release {
    Transport* transport;
    CURL* handle;
    ~Release() { transport->release(handle); }
  } release{this, curl};

  // A reset handle keeps its live connection and caches; every option is set afresh below.
  curl_easy_reset(curl);
  char error_buffer[CURL_ERROR_SIZE] = "";
  HttpResponse response;
  Upload upload{request.body, request.may_resend};
  Download download{response, request.max_answer};
  std::unique_ptr<curl_slist, SlistDeleter> headers = headers_of(request);
  if (request.method == HttpMethod::kPost) set_body(curl, upload);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  set_connection_options(curl, request);
  set_answer(curl, download);

  CURLcode code = curl_easy_perform(curl);
  // The header list holds the token: drop libcurl's pointer to it before it is freed.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  long new_connections = 0;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &new_connections);
  connections_opened_ += static_cast<uint64_t>(new_connections);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (download.too_big) throw answer_too_big(request, static_cast<int>(status));
  if (code != CURLE_OK) {
    // A GET carries no body, so no read callback tells whether it went out; GETs are
    // idempotent, so calling them ambiguous costs nothing.
    bool sent = request.method == HttpMethod::kGet || upload.started;
    long request_bytes = 0;
    curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_bytes);
    throw transport_error(code, error_buffer, request, sent, request_bytes > 0 || upload.started);
  }
  response.status = static_cast<int>(status);
  return response;
}

void Transport::set_connection_options(CURL* curl, const HttpRequest& request) const {
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_SHARE, share_);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // signals and threads do not mix
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  auto connect_timeout = request.connect_timeout.count() > 0
                             ? request.connect_timeout
                             : std::chrono::milliseconds(options_.connect_timeout);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  if (request.timeout.count() > 0) {
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  }
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(options_.inactivity_timeout.count()));
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (options_.insecure) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

}  // namespace dbfs
