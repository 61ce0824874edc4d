#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace emulator {

// The parameters of one API request, from the query string (or multipart form fields) and from a
// JSON body, the former winning name by name. Clients differ: GETs carry a query string or a JSON
// body; booleans arrive as JSON booleans or as "true"/"True"/"false"; numbers as JSON numbers or
// digit strings. Anything unusable is 400 INVALID_PARAMETER_VALUE, a body that is not a JSON
// object 400 MALFORMED_REQUEST (thrown as dbfs::ApiError for `op`).
class RequestParams {
 public:
  using Fields = std::multimap<std::string, std::string>;

  RequestParams(std::string_view op, const Fields& fields, std::string_view json_body);
  // body_'s strings point into text_, which must not move.
  RequestParams(const RequestParams&) = delete;
  RequestParams& operator=(const RequestParams&) = delete;

  // Views stay valid as long as this object and `fields` do.
  std::optional<std::string_view> text(const char* name) const;
  std::string_view required_text(const char* name) const;
  bool boolean(const char* name, bool fallback) const;
  std::optional<int64_t> integer(const char* name) const;
  int64_t required_integer(const char* name) const;

 private:
  const rapidjson::Value* json(const char* name) const;

  std::string op_;
  const Fields& fields_;
  std::string text_;  // the JSON body, parsed in place
  rapidjson::Document body_;
};

}  // namespace emulator
