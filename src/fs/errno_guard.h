#pragma once

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "dbfs/api_error.h"

namespace fs {

// Runs `body` (which returns 0, a count or -errno) and turns whatever it throws into -errno with
// one log line: the only place where the core's exceptions become POSIX errors.
template <typename Body>
int errno_guard(const char* op, const std::string& path, Body&& body) {
  try {
    return body();
  } catch (const dbfs::ApiError& e) {
    int err = e.to_errno();
    if (err == ENOENT || err == EEXIST || err == ENOTEMPTY) {
      spdlog::debug("{} {}: {}", op, path, e.what());
    } else {
      spdlog::warn("{} {}: {} ({})", op, path, e.what(), std::strerror(err));
    }
    return -err;
  } catch (const std::system_error& e) {
    spdlog::error("{} {}: {}", op, path, e.what());
    return -(e.code().value() ? e.code().value() : EIO);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", op, path, e.what());
    return -EIO;
  }
}

}  // namespace fs
