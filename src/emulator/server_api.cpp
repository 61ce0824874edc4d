// Server: the DBFS API endpoints, each run through serve() (server_pipeline.cpp).

#include <cerrno>

#include "dbfs/path.h"
#include "emulator/endpoints.h"
#include "emulator/errors.h"
#include "emulator/ops.h"
#include "emulator/request_shape.h"
#include "emulator/server.h"

namespace emulator {
namespace {

constexpr size_t kMaxFormField = 64 * 1024;

dbfs::ApiError endpoint_not_found(const std::string& method, const std::string& op) {
  return dbfs::ApiError::http(op, 404, "ENDPOINT_NOT_FOUND",
                              "No API found for '" + method + " /dbfs/" + op + "'");
}

// Consumes a streamed request body that will not be used.
void drain(const httplib::Request& req, const httplib::ContentReader& reader) {
  auto ignore = [](const char*, size_t) { return true; };
  if (req.is_multipart_form_data()) {
    reader([](const httplib::MultipartFormData&) { return true; }, ignore);
  } else {
    reader(ignore);
  }
}

}  // namespace

// Databricks refuses DBFS API calls on Unity Catalog volumes, which only the Files API reaches;
// a workspace without the legacy DBFS root refuses the rest too.
void Server::check_dbfs_path(const std::string& op, const RequestParams& params) const {
  for (const char* field : {"path", "source_path", "destination_path"}) {
    std::optional<std::string_view> text = params.text(field);
    if (!text) continue;
    std::optional<std::string> path = dbfs::path::normalize(*text);
    if (path && dbfs::path::is_within(*path, "/Volumes"))
      throw dbfs::ApiError::http(op, 403, "PERMISSION_DENIED", "No operations allowed on this path.");
    if (options_.dbfs_root_disabled) {
      throw dbfs::ApiError::http(op, 403, "PERMISSION_DENIED",
                                 "Public DBFS root is disabled. Access is denied on path: " +
                                     std::string(*text));
    }
  }
  if (options_.dbfs_root_disabled)
    throw dbfs::ApiError::http(op, 403, "PERMISSION_DENIED", "Public DBFS root is disabled.");
}

void Server::api(const httplib::Request& req, httplib::Response& res) {
  std::string op = req.matches[1];
  std::string method = method_of(req);
  serve(
      req, res, op,
      [&] {
        const Op* known = find_op(op);
        if (!known || known->method != method) throw endpoint_not_found(method, op);
        RequestParams params(op, query_of(req), req.body);
        check_dbfs_path(op, params);
        return run_endpoint(store_, op, params);
      },
      [] {});
}

void Server::streamed_put(const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
  auto skip_body = [&] { drain(req, reader); };
  serve(
      req, res, "put",
      [&] {
        if (method_of(req) != "POST") {
          skip_body();
          throw endpoint_not_found(method_of(req), "put");
        }
        if (req.is_multipart_form_data()) return multipart_put(reader);
        std::string body;
        reader([&](const char* data, size_t n) {
          body.append(data, n);
          return true;
        });
        const RequestParams::Fields no_fields;  // outlives params, which refers to it
        RequestParams params("put", no_fields, body);
        check_dbfs_path("put", params);
        return run_endpoint(store_, "put", params);
      },
      skip_body);
}

// The file part ("contents" in the docs, "file" from the legacy CLI) streams to a staged file,
// whatever its size; the small fields (path, overwrite) may come before or after it.
std::string Server::multipart_put(const httplib::ContentReader& reader) {
  StagedFile file = store_.stage_upload();
  RequestParams::Fields fields;
  std::string* field = nullptr;
  int write_error = 0;
  bool complete = reader(
      [&](const httplib::MultipartFormData& part) {
        bool is_file = part.name == "contents" || part.name == "file";
        field = is_file ? nullptr : &fields.emplace(part.name, "")->second;
        return true;
      },
      [&](const char* data, size_t n) {
        if (!field) {
          if (file.append({data, n})) return true;
          write_error = errno;
          return false;
        }
        field->append(data, n);
        return field->size() <= kMaxFormField;
      });
  if (write_error) throw errors::io_error("put", "upload", write_error);
  if (!complete) throw errors::invalid("put", "Malformed multipart body");
  RequestParams params("put", fields, "");
  check_dbfs_path("put", params);
  store_.put_staged(std::string(params.required_text("path")), file,
                    params.boolean("overwrite", false));
  return "{}";
}

}  // namespace emulator
