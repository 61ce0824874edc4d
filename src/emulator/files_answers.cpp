#include "emulator/files_answers.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace emulator::files {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, const std::string& text) {
  w.String(text.data(), rapidjson::SizeType(text.size()));
}

void write_entry(Writer& w, const VolumePath& dir, const VolumeEntry& entry) {
  w.StartObject();
  w.Key("path");
  write_string(w, dir.path + "/" + entry.name);
  w.Key("name");
  write_string(w, entry.name);
  w.Key("is_directory");
  w.Bool(entry.is_directory);
  if (!entry.is_directory) {
    w.Key("file_size");
    w.Int64(entry.size);
  }
  w.Key("last_modified");
  w.Int64(entry.mtime_ms);
  w.EndObject();
}

}  // namespace

void answer_error(httplib::Response& res, const FilesApiError& e) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("error_code");
  write_string(w, e.error_code());
  w.Key("message");
  write_string(w, e.message());
  if (!e.reason().empty()) {
    w.Key("details");
    w.StartArray();
    w.StartObject();
    w.Key("@type");
    w.String("type.googleapis.com/google.rpc.ErrorInfo");
    w.Key("reason");
    write_string(w, e.reason());
    w.Key("domain");
    w.String("filesystem.databricks.com");
    w.EndObject();
    w.EndArray();
  }
  w.EndObject();
  res.status = e.status();
  res.body = out.GetString();
  res.set_header("Content-Type", "application/json");
  if (e.unsatisfied_size >= 0)
    res.set_header("Content-Range", "bytes */" + std::to_string(e.unsatisfied_size));
}

std::string listing_body(const VolumePath& dir, const VolumePage& page,
                         const std::string& next_page_token) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  if (!page.entries.empty()) {
    w.Key("contents");
    w.StartArray();
    for (const VolumeEntry& entry : page.entries) write_entry(w, dir, entry);
    w.EndArray();
  }
  if (!next_page_token.empty()) {
    w.Key("next_page_token");
    write_string(w, next_page_token);
  }
  w.EndObject();
  return out.GetString();
}

}  // namespace emulator::files
