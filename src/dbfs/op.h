#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace dbfs {

// The ten DBFS endpoints, as an index for per-operation counters.
enum class Op : size_t {
  kGetStatus,
  kList,
  kRead,
  kPut,
  kCreate,
  kAddBlock,
  kClose,
  kDelete,
  kMkdirs,
  kMove,
};
inline constexpr size_t kOpCount = 10;

// The endpoint's name as it appears in the URL (/api/2.0/dbfs/<name>) and in ApiError::op().
constexpr std::string_view op_name(Op op) {
  constexpr std::array<std::string_view, kOpCount> kNames = {
      "get-status", "list", "read", "put", "create", "add-block", "close", "delete", "mkdirs",
      "move"};
  return kNames[static_cast<size_t>(op)];
}

}  // namespace dbfs
