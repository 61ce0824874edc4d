#pragma once

#include <httplib.h>

#include <cstdint>
#include <string_view>

#include "emulator/volume_store.h"

// The Files API 2.0 endpoints (docs/volumes-api.md), each run against the VolumeStore with the
// path still percent-encoded as it came. Each fills the answer and returns the body bytes that a
// content provider will send after the handler returns (for the stats); failures throw
// FilesApiError, answered by the caller.
namespace emulator::files {

// The request body of an upload, read as a stream (PUT on /fs/files only; null elsewhere).
using BodyReader = const httplib::ContentReader*;

uint64_t head_file(VolumeStore& store, std::string_view path, const httplib::Request& req,
                   httplib::Response& res, BodyReader body);
uint64_t get_file(VolumeStore& store, std::string_view path, const httplib::Request& req,
                  httplib::Response& res, BodyReader body);
uint64_t put_file(VolumeStore& store, std::string_view path, const httplib::Request& req,
                  httplib::Response& res, BodyReader body);
uint64_t delete_file(VolumeStore& store, std::string_view path, const httplib::Request& req,
                     httplib::Response& res, BodyReader body);

uint64_t head_directory(VolumeStore& store, std::string_view path, const httplib::Request& req,
                        httplib::Response& res, BodyReader body);
uint64_t list_directory(VolumeStore& store, std::string_view path, const httplib::Request& req,
                        httplib::Response& res, BodyReader body);
uint64_t make_directory(VolumeStore& store, std::string_view path, const httplib::Request& req,
                        httplib::Response& res, BodyReader body);
uint64_t delete_directory(VolumeStore& store, std::string_view path, const httplib::Request& req,
                          httplib::Response& res, BodyReader body);

// The largest body a single PUT takes: 5 GiB.
inline constexpr uint64_t kMaxUpload = uint64_t(5) << 30;

}  // namespace emulator::files
