#include "dbfs/api_error.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace dbfs {
namespace {

int errno_of(const std::string& op, int status, const std::string& code) {
  return ApiError::http(op, status, code, "msg").to_errno();
}

TEST(ApiError, MapsErrorCodesToErrno) {
  EXPECT_EQ(errno_of("get-status", 404, "RESOURCE_DOES_NOT_EXIST"), ENOENT);
  EXPECT_EQ(errno_of("create", 400, "RESOURCE_ALREADY_EXISTS"), EEXIST);
  EXPECT_EQ(errno_of("read", 400, "INVALID_PARAMETER_VALUE"), EINVAL);
  EXPECT_EQ(errno_of("read", 400, "MAX_READ_SIZE_EXCEEDED"), EINVAL);
  EXPECT_EQ(errno_of("put", 400, "MAX_BLOCK_SIZE_EXCEEDED"), EFBIG);
  EXPECT_EQ(errno_of("list", 403, "PERMISSION_DENIED"), EACCES);
  EXPECT_EQ(errno_of("list", 429, "REQUEST_LIMIT_EXCEEDED"), EAGAIN);
  EXPECT_EQ(errno_of("list", 503, "TEMPORARILY_UNAVAILABLE"), EIO);
  EXPECT_EQ(errno_of("list", 500, "INTERNAL_ERROR"), EIO);
}

TEST(ApiError, NonEmptyDeleteIsEnotemptyWhicheverCodeTheWorkspaceSends) {
  EXPECT_EQ(errno_of("delete", 400, "IO_ERROR"), ENOTEMPTY);
  EXPECT_EQ(errno_of("delete", 400, "BAD_REQUEST"), ENOTEMPTY);
  EXPECT_EQ(errno_of("put", 400, "IO_ERROR"), EIO);
  EXPECT_EQ(errno_of("mkdirs", 400, "BAD_REQUEST"), EINVAL);
}

TEST(ApiError, NumericAuthCodesAndBareStatuses) {
  EXPECT_EQ(errno_of("list", 401, "401"), EACCES);
  EXPECT_EQ(errno_of("list", 403, "403"), EACCES);
  EXPECT_EQ(errno_of("list", 502, ""), EIO);
  EXPECT_EQ(errno_of("list", 504, ""), ETIMEDOUT);
  EXPECT_EQ(errno_of("list", 404, ""), ENOENT);
}

TEST(ApiError, NoAnswerKinds) {
  EXPECT_EQ(ApiError::timeout("read", "", "", false).to_errno(), ETIMEDOUT);
  EXPECT_EQ(ApiError::transport("read", "", "", false).to_errno(), EIO);
  EXPECT_EQ(ApiError::protocol("read", 200, "bad json").to_errno(), EIO);
}

TEST(ApiError, RetryableStatuses) {
  EXPECT_TRUE(ApiError::http("list", 429, "REQUEST_LIMIT_EXCEEDED", "").is_retryable());
  EXPECT_TRUE(ApiError::http("list", 503, "TEMPORARILY_UNAVAILABLE", "").is_retryable());
  EXPECT_TRUE(ApiError::http("list", 502, "", "").is_retryable());
  EXPECT_TRUE(ApiError::http("list", 504, "", "").is_retryable());
  EXPECT_FALSE(ApiError::http("delete", 503, "PARTIAL_DELETE", "").is_retryable());
  EXPECT_FALSE(ApiError::http("list", 500, "INTERNAL_ERROR", "").is_retryable());
  EXPECT_FALSE(ApiError::http("list", 404, "RESOURCE_DOES_NOT_EXIST", "").is_retryable());
  EXPECT_TRUE(ApiError::transport("list", "", "", false).is_retryable());
}

TEST(ApiError, FactoriesFillWhatTheirKindHas) {
  EXPECT_FALSE(ApiError::http("list", 503, "TEMPORARILY_UNAVAILABLE", "").ambiguous());
  EXPECT_TRUE(ApiError::http("list", 502, "", "").ambiguous())
      << "a gateway error says nothing of what the backend did";
  EXPECT_TRUE(ApiError::http("list", 504, "", "").ambiguous());

  ApiError lost = ApiError::transport("close", ApiError::kConnectionLost, "reset", true);
  EXPECT_EQ(lost.kind(), ApiError::Kind::kTransport);
  EXPECT_EQ(lost.http_status(), 0);
  EXPECT_EQ(lost.error_code(), ApiError::kConnectionLost);
  EXPECT_TRUE(lost.ambiguous());

  ApiError late = ApiError::timeout("read", ApiError::kConnectFailed, "no connection", false);
  EXPECT_EQ(late.kind(), ApiError::Kind::kTimeout);
  EXPECT_EQ(late.http_status(), 0);
  EXPECT_EQ(late.error_code(), ApiError::kConnectFailed);
  EXPECT_FALSE(late.ambiguous());

  ApiError refused = ApiError::protocol("read", 200, "too long");
  EXPECT_EQ(refused.kind(), ApiError::Kind::kProtocol);
  EXPECT_EQ(refused.http_status(), 200);
  EXPECT_EQ(refused.error_code(), "");
  EXPECT_EQ(refused.message(), "too long");
  EXPECT_FALSE(refused.ambiguous());
}

TEST(ApiError, MessageNamesOpStatusAndCode) {
  std::string what = ApiError::http("read", 404, "RESOURCE_DOES_NOT_EXIST", "No file").what();
  EXPECT_EQ(what, "read: HTTP 404 RESOURCE_DOES_NOT_EXIST: No file");
}

}  // namespace
}  // namespace dbfs
