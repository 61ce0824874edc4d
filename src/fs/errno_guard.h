#pragma once

#include <string>

namespace fs {

// The errno of the exception being handled (call it in a catch block), with one log line: the
// only place where the core's exceptions become POSIX errors. Returns -errno.
int current_errno(const char* op, const std::string& path);

// Runs `body` (which returns 0, a count or -errno) and turns whatever it throws into -errno.
template <typename Body>
int errno_guard(const char* op, const std::string& path, Body&& body) {
  try {
    return body();
  } catch (...) {
    return current_errno(op, path);
  }
}

}  // namespace fs
