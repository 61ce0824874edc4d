#include "dbfs/api_error.h"

#include <cerrno>

namespace dbfs {
namespace {

std::string describe(ApiError::Kind kind, const std::string& op, int status,
                     const std::string& code, const std::string& message) {
  std::string text = op.empty() ? std::string("dbfs") : op;
  switch (kind) {
    case ApiError::Kind::kHttp:
      text += ": HTTP " + std::to_string(status);
      if (!code.empty()) text += " " + code;
      break;
    case ApiError::Kind::kTransport: text += ": connection failed"; break;
    case ApiError::Kind::kTimeout: text += ": timed out"; break;
    case ApiError::Kind::kProtocol: text += ": malformed answer"; break;
  }
  if (!message.empty()) text += ": " + message;
  return text;
}

}  // namespace

ApiError::ApiError(Kind kind, std::string op, int http_status, std::string error_code,
                   std::string message, bool ambiguous)
    : std::runtime_error(describe(kind, op, http_status, error_code, message)),
      kind_(kind),
      op_(std::move(op)),
      http_status_(http_status),
      error_code_(std::move(error_code)),
      message_(std::move(message)),
      ambiguous_(ambiguous) {}

ApiError ApiError::http(std::string op, int status, std::string error_code, std::string message) {
  // A gateway's 502/504 says nothing about whether the backend applied the request.
  bool ambiguous = status == 502 || status == 504;
  return ApiError(Kind::kHttp, std::move(op), status, std::move(error_code), std::move(message),
                  ambiguous);
}

ApiError ApiError::transport(std::string op, std::string_view error_code, std::string message,
                             bool ambiguous) {
  return ApiError(Kind::kTransport, std::move(op), 0, std::string(error_code), std::move(message),
                  ambiguous);
}

ApiError ApiError::timeout(std::string op, std::string_view error_code, std::string message,
                           bool ambiguous) {
  return ApiError(Kind::kTimeout, std::move(op), 0, std::string(error_code), std::move(message),
                  ambiguous);
}

ApiError ApiError::protocol(std::string op, int http_status, std::string message) {
  return ApiError(Kind::kProtocol, std::move(op), http_status, "", std::move(message), false);
}

bool ApiError::is_not_found() const {
  return kind_ == Kind::kHttp &&
         (error_code_ == "RESOURCE_DOES_NOT_EXIST" || (error_code_.empty() && http_status_ == 404));
}

bool ApiError::is_already_exists() const {
  return kind_ == Kind::kHttp && error_code_ == "RESOURCE_ALREADY_EXISTS";
}

bool ApiError::is_retryable() const {
  if (kind_ == Kind::kTransport) return error_code_ != kTlsFailed;
  if (kind_ == Kind::kTimeout) return true;
  if (kind_ != Kind::kHttp) return false;
  if (error_code_ == "PARTIAL_DELETE") return false;  // the delete call loops on it itself
  return http_status_ == 429 || http_status_ == 502 || http_status_ == 503 || http_status_ == 504;
}

int ApiError::to_errno() const {
  switch (kind_) {
    case Kind::kTimeout: return ETIMEDOUT;
    case Kind::kTransport: return EIO;
    case Kind::kProtocol: return EIO;
    case Kind::kHttp: break;
  }
  const std::string& c = error_code_;
  if (c == "RESOURCE_DOES_NOT_EXIST") return ENOENT;
  if (c == "RESOURCE_ALREADY_EXISTS") return EEXIST;
  if (c == "IO_ERROR" || c == "BAD_REQUEST") {
    // A delete refused for a non-empty directory: IO_ERROR, or BAD_REQUEST on newer workspaces.
    if (op_ == "delete") return ENOTEMPTY;
    return c == "IO_ERROR" ? EIO : EINVAL;
  }
  if (c == "INVALID_PARAMETER_VALUE" || c == "MAX_READ_SIZE_EXCEEDED") return EINVAL;
  if (c == "MAX_BLOCK_SIZE_EXCEEDED") return EFBIG;
  if (c == "PERMISSION_DENIED") return EACCES;
  if (c == "REQUEST_LIMIT_EXCEEDED") return EAGAIN;
  switch (http_status_) {
    case 401:
    case 403: return EACCES;
    case 404: return ENOENT;
    case 400: return EINVAL;
    case 408:
    case 504: return ETIMEDOUT;
    case 429: return EAGAIN;
    default: return EIO;
  }
}

}  // namespace dbfs
