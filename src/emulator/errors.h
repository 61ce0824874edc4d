#pragma once

#include <string>
#include <string_view>

#include "dbfs/api_error.h"

// The error answers of the DBFS contract (docs/dbfs-api.md), with the messages
// real workspaces send where they are known, so every part of the emulator words them alike.
namespace emulator::errors {

dbfs::ApiError not_found(std::string_view op, std::string_view path);
dbfs::ApiError already_exists(std::string_view op, std::string_view path);
dbfs::ApiError invalid(std::string_view op, std::string_view message);
dbfs::ApiError missing_handle(std::string_view op, int64_t handle);
dbfs::ApiError block_too_large(std::string_view op, size_t size);
// A storage failure the contract has no better code for (400 IO_ERROR), from an errno.
dbfs::ApiError io_error(std::string_view op, std::string_view path, int err);
// The answer to an unusable path: unnameable (".."), too long, or reserved by the emulator.
dbfs::ApiError bad_path(std::string_view op, std::string_view path);

}  // namespace emulator::errors
