#include "emulator/request_params.h"

#include <charconv>
#include <cmath>

#include "emulator/errors.h"

namespace emulator {
namespace {

std::optional<int64_t> parse_integer(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<bool> parse_boolean(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

}  // namespace

RequestParams::RequestParams(std::string_view op, const Fields& fields, std::string_view json_body)
    : op_(op), fields_(fields) {
  body_.SetObject();
  if (json_body.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
  // Parsed in place, in a copy: put and add-block bodies carry a MiB of base64, which the in-situ
  // parser scans 16 bytes at a time (SSE2) where Parse() copies it byte by byte. The spare
  // bytes keep those aligned loads inside the buffer.
  text_.reserve(json_body.size() + 16);
  text_.assign(json_body);
  body_.ParseInsitu(text_.data());
  if (body_.HasParseError() || !body_.IsObject()) {
    throw dbfs::ApiError::http(op_, 400, "MALFORMED_REQUEST",
                               "Invalid JSON given in the body of the request - expected a map");
  }
}

const rapidjson::Value* RequestParams::json(const char* name) const {
  auto it = body_.FindMember(name);
  if (it == body_.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::optional<std::string_view> RequestParams::text(const char* name) const {
  if (auto it = fields_.find(name); it != fields_.end()) return it->second;
  const rapidjson::Value* v = json(name);
  if (!v) return std::nullopt;
  if (!v->IsString()) throw errors::invalid(op_, std::string("Field ") + name + " must be a string");
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::string_view RequestParams::required_text(const char* name) const {
  auto value = text(name);
  if (!value) throw errors::invalid(op_, std::string("Missing required field: ") + name);
  return *value;
}

bool RequestParams::boolean(const char* name, bool fallback) const {
  std::optional<bool> value;
  if (auto it = fields_.find(name); it != fields_.end()) {
    value = parse_boolean(it->second);
  } else if (const rapidjson::Value* v = json(name)) {
    value = v->IsBool() ? std::optional(v->GetBool())
            : v->IsString() ? parse_boolean({v->GetString(), v->GetStringLength()})
                            : std::nullopt;
  } else {
    return fallback;
  }
  if (!value) throw errors::invalid(op_, std::string("Field ") + name + " must be a boolean");
  return *value;
}

std::optional<int64_t> RequestParams::integer(const char* name) const {
  std::optional<int64_t> value;
  if (auto it = fields_.find(name); it != fields_.end()) {
    value = parse_integer(it->second);
  } else if (const rapidjson::Value* v = json(name)) {
    if (v->IsInt64()) {
      value = v->GetInt64();
    } else if (v->IsDouble() && std::trunc(v->GetDouble()) == v->GetDouble() &&
               std::fabs(v->GetDouble()) < 9.2e18) {
      value = int64_t(v->GetDouble());
    } else if (v->IsString()) {
      value = parse_integer({v->GetString(), v->GetStringLength()});
    }
  } else {
    return std::nullopt;
  }
  if (!value) throw errors::invalid(op_, std::string("Field ") + name + " must be an integer");
  return value;
}

int64_t RequestParams::required_integer(const char* name) const {
  auto value = integer(name);
  if (!value) throw errors::invalid(op_, std::string("Missing required field: ") + name);
  return *value;
}

}  // namespace emulator
