#include "emulator/files_api_error.h"

#include <cstring>

namespace emulator::files {

FilesApiError::FilesApiError(int status, std::string error_code, std::string message,
                             std::string reason)
    : std::runtime_error(error_code + ": " + message),
      status_(status),
      error_code_(std::move(error_code)),
      message_(std::move(message)),
      reason_(std::move(reason)) {}

FilesApiError file_not_found(std::string_view path) {
  return {404, "NOT_FOUND", "The file " + std::string(path) + " does not exist.",
          "FILES_API_FILE_NOT_FOUND"};
}

FilesApiError directory_not_found(std::string_view path) {
  return {404, "NOT_FOUND", "The directory " + std::string(path) + " does not exist.",
          "FILES_API_DIRECTORY_IS_NOT_FOUND"};
}

FilesApiError already_exists(std::string_view path) {
  return {409, "ALREADY_EXISTS", "The path " + std::string(path) + " already exists."};
}

FilesApiError path_is_a_file(std::string_view) {
  return {409, "ALREADY_EXISTS",
          "The given path points to an existing file. This API does not support operations on "
          "files."};
}

FilesApiError directory_not_empty(std::string_view path) {
  return {400, "INVALID_PARAMETER_VALUE", "The directory " + std::string(path) + " is not empty.",
          "FILES_API_DIRECTORY_IS_NOT_EMPTY"};
}

FilesApiError invalid(std::string message) {
  return {400, "INVALID_PARAMETER_VALUE", std::move(message)};
}

FilesApiError outside_volume(std::string_view path) {
  return {403, "PERMISSION_DENIED",
          "The path " + std::string(path) +
              " is not inside a Unity Catalog volume (/Volumes/<catalog>/<schema>/<volume>/...)."};
}

FilesApiError too_large(uint64_t size, uint64_t limit) {
  return invalid("The request body of " + std::to_string(size) +
                 " bytes exceeds the maximum of " + std::to_string(limit) + " bytes.");
}

FilesApiError range_not_satisfiable(std::string_view range, int64_t size) {
  FilesApiError e(416, "INVALID_PARAMETER_VALUE",
                  "The range " + std::string(range) + " is not satisfiable for a file of " +
                      std::to_string(size) + " bytes.");
  e.unsatisfied_size = size;
  return e;
}

FilesApiError modified_since(std::string_view path, std::string_view date) {
  return {412, "PRECONDITION_FAILED",
          "The file " + std::string(path) + " was modified after " + std::string(date) + "."};
}

FilesApiError io_error(std::string_view path, int err) {
  return {500, "INTERNAL_ERROR", std::string(path) + ": " + std::strerror(err)};
}

}  // namespace emulator::files
