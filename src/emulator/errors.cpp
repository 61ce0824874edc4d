#include "emulator/errors.h"

#include <cstring>

#include "dbfs/api.h"

namespace emulator::errors {
namespace {

dbfs::ApiError make(std::string_view op, int status, const char* code, std::string message) {
  return dbfs::ApiError::http(std::string(op), status, code, std::move(message));
}

}  // namespace

dbfs::ApiError not_found(std::string_view op, std::string_view path) {
  return make(op, 404, "RESOURCE_DOES_NOT_EXIST",
              "No file or directory exists on path " + std::string(path) + ".");
}

dbfs::ApiError already_exists(std::string_view op, std::string_view path) {
  return make(op, 400, "RESOURCE_ALREADY_EXISTS",
              "A file or directory already exists at the input path " + std::string(path) + ".");
}

dbfs::ApiError invalid(std::string_view op, std::string_view message) {
  return make(op, 400, "INVALID_PARAMETER_VALUE", std::string(message));
}

dbfs::ApiError missing_handle(std::string_view op, int64_t handle) {
  return make(op, 404, "RESOURCE_DOES_NOT_EXIST",
              "The handle " + std::to_string(handle) + " does not exist or has expired.");
}

dbfs::ApiError block_too_large(std::string_view op, size_t size) {
  return make(op, 400, "MAX_BLOCK_SIZE_EXCEEDED",
              "The block of " + std::to_string(size) + " bytes exceeds the maximum of " +
                  std::to_string(dbfs::Api::kMaxBlock) + " bytes.");
}

dbfs::ApiError io_error(std::string_view op, std::string_view path, int err) {
  return make(op, 400, "IO_ERROR", std::string(path) + ": " + std::strerror(err));
}

dbfs::ApiError bad_path(std::string_view op, std::string_view path) {
  return invalid(op, "Invalid path: " + std::string(path));
}

}  // namespace emulator::errors
