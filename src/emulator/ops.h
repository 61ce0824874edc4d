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

inline const Op* find_op(std::string_view name) {
  for (const Op& op : kOps) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

}  // namespace emulator
