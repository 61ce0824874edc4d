// Server: the Files API 2.0 endpoints (/api/2.0/fs/...), each run through serve()
// (server_pipeline.cpp) under the name of its operation (files_routes.h).

#include "emulator/answers.h"
#include "emulator/connection_drop.h"
#include "emulator/files_answers.h"
#include "emulator/files_api_error.h"
#include "emulator/request_shape.h"
#include "emulator/server.h"

namespace emulator {
namespace {

std::string_view prefix_of(files::Family family) {
  return family == files::Family::kFiles ? files::kFilesPrefix : files::kDirectoriesPrefix;
}

// The path after the endpoint's prefix, still percent-encoded as it came: httplib's req.path is
// decoded already, and would not tell an encoded '/' from a separator.
std::optional<std::string_view> encoded_path(const httplib::Request& req, files::Family family) {
  std::string_view target = req.target;
  target = target.substr(0, target.find('?'));
  std::string_view prefix = prefix_of(family);
  if (!target.starts_with(prefix) || target.size() == prefix.size()) return std::nullopt;
  return target.substr(prefix.size());
}

}  // namespace

void Server::route_files_api() {
  for (files::Family family : {files::Family::kFiles, files::Family::kDirectories}) {
    std::string pattern = std::string(prefix_of(family)) + "/.*";
    auto plain = [this, family](const httplib::Request& req, httplib::Response& res) {
      files_api(req, res, family, nullptr);
    };
    http_->Get(pattern, plain);  // and HEAD
    http_->Delete(pattern, plain);
    http_->Put(pattern, [this, family](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) {
      files_api(req, res, family, &reader);
    });
  }
}

void Server::files_api(const httplib::Request& req, httplib::Response& res,
                       files::Family family, const httplib::ContentReader* body) {
  std::string method = method_of(req);
  const files::FilesRoute* route = files::find_files_route(family, method);
  std::optional<std::string_view> path = encoded_path(req, family);
  auto skip_body = [body] {
    if (body) (*body)([](const char*, size_t) { return true; });
  };
  if (!route || !path) {
    skip_body();
    answers::json(res, 404,
                  R"({"error_code":"ENDPOINT_NOT_FOUND","message":"No API found for ')" + method +
                      " " + req.path + R"('"})");
    return;
  }
  auto operation = [&](httplib::Response& answer) -> uint64_t {
    try {
      return route->endpoint(volumes_, *path, req, answer, body);
    } catch (const files::FilesApiError& e) {
      files::answer_error(answer, e);
      // Set by an upload refused before its body was read: that body is the rest of the
      // connection.
      if (answer.get_header_value("Connection") == "close") return close_after_answer(req, answer);
      return 0;
    }
  };
  serve(req, res, std::string(route->op), Operation(operation), skip_body);
}

}  // namespace emulator
