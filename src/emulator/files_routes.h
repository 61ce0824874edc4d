#pragma once

#include <array>
#include <string_view>

#include "emulator/files_endpoints.h"

namespace emulator::files {

// The Files API paths: /api/2.0/fs/files{path} and /api/2.0/fs/directories{path}. Later
// families (multipart's POSTs, presigned parts) get rows of their own.
enum class Family { kFiles, kDirectories };

inline constexpr std::string_view kFilesPrefix = "/api/2.0/fs/files";
inline constexpr std::string_view kDirectoriesPrefix = "/api/2.0/fs/directories";

using Endpoint = uint64_t (*)(VolumeStore&, std::string_view, const httplib::Request&,
                              httplib::Response&, BodyReader);

// Which operation a method on a family is: its name in the stats and the fault language, and
// its endpoint.
struct FilesRoute {
  Family family;
  std::string_view method;
  std::string_view op;
  Endpoint endpoint;
};

inline constexpr std::array<FilesRoute, 8> kFilesRoutes{{
    {Family::kFiles, "HEAD", "fs.head", head_file},
    {Family::kFiles, "GET", "fs.get", get_file},
    {Family::kFiles, "PUT", "fs.put", put_file},
    {Family::kFiles, "DELETE", "fs.delete", delete_file},
    {Family::kDirectories, "HEAD", "fs.head", head_directory},
    {Family::kDirectories, "GET", "fs.list", list_directory},
    {Family::kDirectories, "PUT", "fs.mkdir", make_directory},
    {Family::kDirectories, "DELETE", "fs.delete", delete_directory},
}};

inline const FilesRoute* find_files_route(Family family, std::string_view method) {
  for (const FilesRoute& route : kFilesRoutes) {
    if (route.family == family && route.method == method) return &route;
  }
  return nullptr;
}

// Whether `op` names a Files API operation (the fault language takes these names).
inline bool is_files_op(std::string_view op) {
  for (const FilesRoute& route : kFilesRoutes) {
    if (route.op == op) return true;
  }
  return false;
}

}  // namespace emulator::files
