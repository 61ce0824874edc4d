#include "emulator/request_shape.h"

namespace emulator {
namespace {

// httplib 0.11.4 does not read the body of a GET, leaving it in the connection to be misread as
// the next request. shape_request turns such a GET into a POST, so that httplib reads the body,
// and notes here (same thread, same request) that the client sent a GET.
thread_local bool t_get_with_body = false;

}  // namespace

httplib::Server::HandlerResponse shape_request(const httplib::Request& request) {
  // httplib hands hooks a const Request although it owns a mutable one; adjusting it here,
  // before it reads the body, is the only way to shape how it reads it.
  auto& req = const_cast<httplib::Request&>(request);
  // Compressing megabytes of base64 would make the emulator a benchmark's bottleneck.
  req.headers.erase("Accept-Encoding");
  t_get_with_body = false;
  if (!req.path.starts_with("/api/")) return httplib::Server::HandlerResponse::Unhandled;
  // The Files API takes raw bytes and serves ranges itself (byte_range.h): httplib must neither
  // parse a form body nor cut the answer to the Range it parsed.
  if (req.path.starts_with("/api/2.0/fs/")) {
    req.headers.erase("Content-Type");
    req.ranges.clear();
  }
  // DBFS API bodies are JSON whatever the Content-Type says; httplib would parse a form body.
  if (!req.is_multipart_form_data()) req.headers.erase("Content-Type");
  if (req.method == "GET" &&
      (req.get_header_value<uint64_t>("Content-Length") > 0 || req.has_header("Transfer-Encoding"))) {
    req.method = "POST";
    t_get_with_body = true;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

std::string method_of(const httplib::Request& req) {
  return t_get_with_body ? std::string("GET") : req.method;
}

const RequestParams::Fields& query_of(const httplib::Request& req) {
  static const RequestParams::Fields kNoFields;
  return method_of(req) == "GET" ? req.params : kNoFields;
}

}  // namespace emulator
