#include "fs/errno_guard.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

#include "dbfs/api_error.h"

namespace fs {

int current_errno(const char* op, const std::string& path) {
  try {
    throw;
  } catch (const dbfs::ApiError& e) {
    int err = e.to_errno();
    if (err == ENOENT || err == EEXIST || err == ENOTEMPTY) {
      spdlog::debug("{} {}: {}", op, path, e.what());
    } else {
      spdlog::warn("{} {}: {} ({})", op, path, e.what(), std::strerror(err));
    }
    return -err;
  } catch (const std::bad_alloc&) {
    spdlog::error("{} {}: out of memory", op, path);
    return -ENOMEM;
  } catch (const std::system_error& e) {
    spdlog::error("{} {}: {}", op, path, e.what());
    return -(e.code().value() ? e.code().value() : EIO);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", op, path, e.what());
    return -EIO;
  } catch (...) {
    spdlog::error("{} {}: an unknown failure", op, path);
    return -EIO;
  }
}

}  // namespace fs
