#include "emulator/endpoints.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "dbfs/base64.h"
#include "emulator/errors.h"

namespace emulator {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr int64_t kDefaultReadLength = 524288;

void write_file_info(Writer& w, const dbfs::FileInfo& info) {
  w.StartObject();
  w.Key("path");
  w.String(info.path.data(), rapidjson::SizeType(info.path.size()));
  w.Key("is_dir");
  w.Bool(info.is_dir);
  w.Key("file_size");
  w.Int64(info.file_size);
  w.Key("modification_time");
  w.Int64(info.modification_time);
  w.EndObject();
}

std::string get_status(Store& store, const RequestParams& params) {
  rapidjson::StringBuffer out;
  Writer w(out);
  write_file_info(w, store.get_status(std::string(params.required_text("path"))));
  return out.GetString();
}

std::string list(Store& store, const RequestParams& params) {
  auto files = store.list(std::string(params.required_text("path")));
  if (files.empty()) return "{}";  // an empty directory has no "files" key
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("files");
  w.StartArray();
  for (const auto& info : files) write_file_info(w, info);
  w.EndArray();
  w.EndObject();
  return out.GetString();
}

// The hot path of every download: the bytes are base64-encoded straight into the answer.
std::string read(Store& store, const RequestParams& params) {
  std::string path(params.required_text("path"));
  int64_t offset = params.integer("offset").value_or(0);
  int64_t length = params.integer("length").value_or(kDefaultReadLength);
  thread_local std::string bytes;
  int64_t n = store.read(path, offset, length, bytes);
  std::string answer = "{\"bytes_read\":" + std::to_string(n) + ",\"data\":\"";
  answer.reserve(answer.size() + dbfs::base64::encoded_size(bytes.size()) + 2);
  dbfs::base64::encode_append(bytes, answer);
  answer += "\"}";
  return answer;
}

// A base64 field of at most one block, decoded.
std::string decode_block(std::string_view op, std::string_view field, std::string_view text) {
  std::string bytes;
  if (!dbfs::base64::decode(text, bytes))
    throw errors::invalid(op, std::string(field) + " is not valid base64");
  if (int64_t(bytes.size()) > dbfs::Api::kMaxBlock) throw errors::block_too_large(op, bytes.size());
  return bytes;
}

std::string put(Store& store, const RequestParams& params) {
  std::string path(params.required_text("path"));
  std::string contents = decode_block("put", "contents", params.text("contents").value_or(""));
  store.put(path, contents, params.boolean("overwrite", false));
  return "{}";
}

std::string create(Store& store, const RequestParams& params) {
  int64_t handle = store.create(std::string(params.required_text("path")),
                                params.boolean("overwrite", false));
  return "{\"handle\":" + std::to_string(handle) + "}";
}

std::string add_block(Store& store, const RequestParams& params) {
  int64_t handle = params.required_integer("handle");
  store.add_block(handle, decode_block("add-block", "data", params.required_text("data")));
  return "{}";
}

std::string close(Store& store, const RequestParams& params) {
  store.close(params.required_integer("handle"));
  return "{}";
}

std::string remove(Store& store, const RequestParams& params) {
  store.delete_once(std::string(params.required_text("path")), params.boolean("recursive", false));
  return "{}";
}

std::string mkdirs(Store& store, const RequestParams& params) {
  store.mkdirs(std::string(params.required_text("path")));
  return "{}";
}

std::string move(Store& store, const RequestParams& params) {
  store.move(std::string(params.required_text("source_path")),
             std::string(params.required_text("destination_path")));
  return "{}";
}

}  // namespace

std::string run_endpoint(Store& store, std::string_view op, const RequestParams& params) {
  using Endpoint = std::string (*)(Store&, const RequestParams&);
  static const std::pair<std::string_view, Endpoint> kEndpoints[] = {
      {"get-status", get_status}, {"list", list},     {"read", read},
      {"put", put},               {"create", create}, {"add-block", add_block},
      {"close", close},           {"delete", remove}, {"mkdirs", mkdirs},
      {"move", move},
  };
  for (const auto& [name, endpoint] : kEndpoints) {
    if (name == op) return endpoint(store, params);
  }
  throw dbfs::ApiError::http(std::string(op), 404, "ENDPOINT_NOT_FOUND",
                             "No API found for '" + std::string(op) + "'");
}

}  // namespace emulator
