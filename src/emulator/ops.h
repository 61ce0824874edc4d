#pragma once

#include <array>
#include <string_view>

namespace emulator {

// The DBFS API 2.0 endpoints and the HTTP method each takes.
struct Op {
  std::string_view name;
  std::string_view method;
};

inline constexpr std::array<Op, 10> kOps{{
    {"get-status", "GET"},
    {"list", "GET"},
    {"read", "GET"},
    {"put", "POST"},
    {"create", "POST"},
    {"add-block", "POST"},
    {"close", "POST"},
    {"delete", "POST"},
    {"mkdirs", "POST"},
    {"move", "POST"},
}};

// The Files API 2.0 operations (files_routes.h), by the names the stats count them under.
inline constexpr std::array<std::string_view, 6> kFilesOps{
    "fs.head", "fs.get", "fs.put", "fs.list", "fs.mkdir", "fs.delete"};

inline const Op* find_op(std::string_view name) {
  for (const Op& op : kOps) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

// Whether the fault language can target `name`: a DBFS endpoint or a Files API operation.
inline bool is_fault_target(std::string_view name) {
  for (std::string_view op : kFilesOps) {
    if (op == name) return true;
  }
  return find_op(name) != nullptr;
}

}  // namespace emulator
