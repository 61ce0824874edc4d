#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

// The error answers of the Files API 2.0 (docs/volumes-api.md, "Errors"): an HTTP status, an
// error_code, a message and, where the contract names one, the ErrorInfo reason that alone tells
// some answers apart (a non-empty directory from any other 400). Every part of the emulator's
// Files API words them through these factories.
namespace emulator::files {

class FilesApiError : public std::runtime_error {
 public:
  FilesApiError(int status, std::string error_code, std::string message, std::string reason = {});

  int status() const { return status_; }
  const std::string& error_code() const { return error_code_; }
  const std::string& message() const { return message_; }
  // Empty when the contract names no reason for the case: the body then has no details.
  const std::string& reason() const { return reason_; }
  // Set by range_not_satisfiable(): the size for its "Content-Range: bytes */SIZE".
  int64_t unsatisfied_size = -1;

 private:
  int status_;
  std::string error_code_, message_, reason_;
};

FilesApiError file_not_found(std::string_view path);
FilesApiError directory_not_found(std::string_view path);
// overwrite=false over a file, or a file where a directory is.
FilesApiError already_exists(std::string_view path);
// A directory PUT where a file is (on the path itself or above it).
FilesApiError path_is_a_file(std::string_view path);
FilesApiError directory_not_empty(std::string_view path);
FilesApiError invalid(std::string message);
// A path that is not inside a volume: above the volumes, a volume root used as a file, outside
// /Volumes altogether.
FilesApiError outside_volume(std::string_view path);
FilesApiError too_large(uint64_t size, uint64_t limit);
FilesApiError range_not_satisfiable(std::string_view range, int64_t size);
FilesApiError modified_since(std::string_view path, std::string_view date);
// A storage failure with no better answer (500 INTERNAL_ERROR), from an errno.
FilesApiError io_error(std::string_view path, int err);

}  // namespace emulator::files
