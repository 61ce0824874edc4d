#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dbfs {

// The one error type from the wire to errno. Every failure of a DBFS call, whether the server
// answered with an error body, the answer was malformed, or no answer came at all, is an ApiError;
// to_errno() is the single place where it becomes a POSIX error.
class ApiError : public std::runtime_error {
 public:
  enum class Kind {
    kHttp,       // the server answered with an HTTP error status
    kTransport,  // no answer: connect failure, reset, TLS failure
    kTimeout,    // no answer in time
    kProtocol,   // an answer we could not understand (bad JSON, bad base64, missing fields)
  };

  // error_code() of kTransport and kTimeout errors: what went wrong on the way.
  static constexpr std::string_view kConnectFailed = "CONNECT_FAILED";  // request never sent
  static constexpr std::string_view kTlsFailed = "TLS_FAILED";          // handshake/verification
  static constexpr std::string_view kConnectionLost = "CONNECTION_LOST";  // reset, nothing back
  static constexpr std::string_view kTimedOut = "TIMED_OUT";

  // Built by the factories below, each naming its kind and taking only what that kind has.
  // `op` is the endpoint name ("read", "delete", ...) so that the errno mapping can depend on it.
  // `ambiguous` is true when the request may have been applied though no definite answer came:
  // no answer at all after the request was sent, or a gateway's 502/504.

  // An HTTP error answer; ambiguous for a gateway's 502/504.
  static ApiError http(std::string op, int status, std::string error_code, std::string message);
  // No answer: `error_code` is kConnectFailed, kTlsFailed or kConnectionLost.
  static ApiError transport(std::string op, std::string_view error_code, std::string message,
                            bool ambiguous);
  // No answer in time: `error_code` is kConnectFailed (no connection) or kTimedOut.
  static ApiError timeout(std::string op, std::string_view error_code, std::string message,
                          bool ambiguous);
  // An answer (with `http_status`) that could not be understood or was refused.
  static ApiError protocol(std::string op, int http_status, std::string message);

  Kind kind() const { return kind_; }
  const std::string& op() const { return op_; }
  int http_status() const { return http_status_; }  // 0 when there was no HTTP answer
  // "RESOURCE_DOES_NOT_EXIST", or the numeric code as text ("401") as auth errors send it.
  // For kTransport and kTimeout, a short classifier: "CONNECT_FAILED", "TLS_FAILED", ...
  const std::string& error_code() const { return error_code_; }
  const std::string& message() const { return message_; }
  bool ambiguous() const { return ambiguous_; }
  // How long the server asked us to wait before trying again (Retry-After); zero if it did not.
  std::chrono::seconds retry_after() const { return retry_after_; }
  void set_retry_after(std::chrono::seconds wait) { retry_after_ = wait; }

  bool is_not_found() const;
  bool is_already_exists() const;
  // Transient: worth retrying when the call is safe to repeat (429, 502, 503, 504, transport
  // failures other than TLS ones, which a retry cannot fix).
  bool is_retryable() const;

  int to_errno() const;

 private:
  ApiError(Kind kind, std::string op, int http_status, std::string error_code, std::string message,
           bool ambiguous);

  Kind kind_;
  std::string op_;
  int http_status_;
  std::string error_code_;
  std::string message_;
  bool ambiguous_;
  std::chrono::seconds retry_after_{0};
};

}  // namespace dbfs
