#include "dbfs/json_codec.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <cmath>

#include "dbfs/base64.h"
#include "dbfs/log.h"

namespace dbfs::json {
namespace {

// RapidJSON output stream appending to a std::string.
struct StringOutput {
  using Ch = char;
  std::string& text;
  void Put(char c) { text.push_back(c); }
  void Flush() {}
};

void write_string(std::string& out, std::string_view value) {
  StringOutput stream{out};
  rapidjson::Writer<StringOutput> writer(stream);
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

[[noreturn]] void fail(std::string_view op, std::string what, std::string_view body) {
  if (!body.empty()) what += ": " + excerpt(body);
  throw ApiError::protocol(std::string(op), 200, std::move(what));
}

// Why `doc` is not the JSON object an answer must be.
template <typename Document>
std::string parse_problem(const Document& doc) {
  if (!doc.HasParseError()) return "expected a JSON object";
  return std::string("invalid JSON at offset ") + std::to_string(doc.GetErrorOffset()) + " (" +
         rapidjson::GetParseError_En(doc.GetParseError()) + ")";
}

// Every answer is parsed iteratively: an answer nested a hundred thousand levels deep (as few
// as 256 KiB of '[') would otherwise exhaust the stack of the thread parsing it.
constexpr unsigned kParseFlags = rapidjson::kParseDefaultFlags | rapidjson::kParseIterativeFlag;

// `quote`: whether an error may show the body (not when it may hold a secret).
rapidjson::Document parse_object(std::string_view op, std::string_view body, bool quote = true) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) fail(op, parse_problem(doc), quote ? body : "");
  return doc;
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it == object.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

// Integers may arrive as doubles from some front ends; accept any number that is integral.
bool read_int64(const rapidjson::Value* value, int64_t& out) {
  if (!value) return true;
  if (value->IsInt64()) {
    out = value->GetInt64();
    return true;
  }
  if (value->IsNumber()) {
    // Out of int64's range the cast is undefined behaviour; a fraction is no integer.
    double d = value->GetDouble();
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != std::trunc(d)) {
      return false;
    }
    out = static_cast<int64_t>(d);
    return true;
  }
  return false;
}

// JSON booleans may also arrive as the strings "true"/"false".
bool read_bool(const rapidjson::Value* value, bool& out) {
  if (!value) return true;
  if (value->IsBool()) {
    out = value->GetBool();
    return true;
  }
  if (value->IsString()) {
    std::string_view s(value->GetString(), value->GetStringLength());
    if (s == "true" || s == "false") {
      out = s == "true";
      return true;
    }
  }
  return false;
}

std::string_view view(const rapidjson::Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

bool to_file_info(const rapidjson::Value& value, FileInfo& info) {
  if (!value.IsObject()) return false;
  const rapidjson::Value* path = member(value, "path");
  if (!path || !path->IsString()) return false;
  info.path = view(*path);
  if (info.path.starts_with("dbfs:")) info.path.erase(0, 5);
  return read_bool(member(value, "is_dir"), info.is_dir) &&
         read_int64(member(value, "file_size"), info.file_size) &&
         read_int64(member(value, "modification_time"), info.modification_time);
}

std::string required_string(std::string_view op, const rapidjson::Document& doc, const char* name,
                            std::string_view body) {
  const rapidjson::Value* value = member(doc, name);
  if (!value || !value->IsString()) fail(op, std::string("no \"") + name + "\" in answer", body);
  return std::string(view(*value));
}

bool looks_like_html(std::string_view body) {
  size_t start = body.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && body[start] == '<';
}

// The page's <title>, or failing that its text with the tags removed.
std::string html_text(std::string_view html) {
  size_t title = html.find("<title>");
  if (title != std::string_view::npos) {
    size_t end = html.find("</title>", title);
    if (end != std::string_view::npos) return std::string(html.substr(title + 7, end - title - 7));
  }
  std::string text;
  bool in_tag = false;
  for (char c : html) {
    if (c == '<') {
      in_tag = true;
      text += ' ';
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      text += c;
    }
  }
  return text;
}

}  // namespace

RequestBody::RequestBody() : text_("{") {}

void RequestBody::key(std::string_view key) {
  if (!empty_) text_ += ',';
  empty_ = false;
  write_string(text_, key);
  text_ += ':';
}

RequestBody& RequestBody::add(std::string_view key, std::string_view value) {
  this->key(key);
  write_string(text_, value);
  return *this;
}

RequestBody& RequestBody::add(std::string_view key, bool value) {
  this->key(key);
  text_ += value ? "true" : "false";
  return *this;
}

RequestBody& RequestBody::add(std::string_view key, int64_t value) {
  this->key(key);
  text_ += std::to_string(value);
  return *this;
}

std::string RequestBody::finish() {
  text_ += '}';
  return std::move(text_);
}

std::string RequestBody::finish_with_base64(std::string_view key, std::string_view bytes) {
  this->key(key);
  text_.reserve(text_.size() + base64::encoded_size(bytes.size()) + 3);
  text_ += '"';
  base64::encode_append(bytes, text_);  // the base64 alphabet needs no JSON escaping
  text_ += "\"}";
  return std::move(text_);
}

FileInfo parse_file_info(std::string_view op, std::string_view body) {
  rapidjson::Document doc = parse_object(op, body);
  FileInfo info;
  if (!to_file_info(doc, info)) fail(op, "malformed file status", body);
  return info;
}

// parse_list: json_list.cpp.

namespace {

// Parses a read answer in place and hands its "data" (base64; empty when absent) to `decode`,
// which decodes it (failing on bad base64) and returns the number of bytes; that must agree
// with "bytes_read".
template <typename Decode>
int64_t parse_read_with(std::string_view op, std::string& body, Decode decode) {
  // A read answer is two members; a small arena on the stack spares a heap chunk per call.
  char arena[1024];
  rapidjson::MemoryPoolAllocator<> allocator(arena, sizeof arena);
  rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>> doc(&allocator);
  // Parsing in place destroys the text, so quote a non-JSON answer before trying.
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string::npos || body[start] != '{') fail(op, "expected a JSON object", body);
  // The SSE2 scanner loads whole aligned 16-byte blocks, so it may read up to 15 bytes past the
  // text's end: harmless (never past a page) but outside the string. Keep them inside it, so
  // AddressSanitizer agrees; the transport's buffer almost always has the room already.
  if (body.capacity() < body.size() + 16) body.reserve(body.size() + 16);
  doc.ParseInsitu<kParseFlags>(body.data());
  if (doc.HasParseError() || !doc.IsObject()) fail(op, parse_problem(doc), {});
  int64_t bytes_read = -1;
  auto* count = member(doc, "bytes_read");
  if (count && !read_int64(count, bytes_read)) fail(op, "\"bytes_read\" is not a number", {});
  auto* data = member(doc, "data");
  if (data && !data->IsString()) fail(op, "\"data\" is not a string", {});
  size_t size = decode(data ? view(*data) : std::string_view());
  if (bytes_read >= 0 && static_cast<size_t>(bytes_read) != size) {
    fail(op, "\"bytes_read\" is " + std::to_string(bytes_read) + " but \"data\" holds " +
                 std::to_string(size) + " bytes", {});
  }
  return static_cast<int64_t>(size);
}

}  // namespace

int64_t parse_read(std::string_view op, std::string& body, std::string& out) {
  return parse_read_with(op, body, [&](std::string_view text) {
    if (!base64::decode(text, out)) fail(op, "\"data\" is not valid base64", {});
    return out.size();
  });
}

int64_t parse_read_into(std::string_view op, std::string& body, char* out, size_t capacity) {
  return parse_read_with(op, body, [&](std::string_view text) {
    size_t size = base64::decoded_size(text);
    if (size == std::string_view::npos) fail(op, "\"data\" is not valid base64", {});
    if (size > capacity) {
      fail(op, "\"data\" holds " + std::to_string(size) + " bytes, more than the " +
                   std::to_string(capacity) + " asked for", {});
    }
    if (!base64::decode_to(text, out)) fail(op, "\"data\" is not valid base64", {});
    return size;
  });
}

int64_t parse_handle(std::string_view op, std::string_view body) {
  rapidjson::Document doc = parse_object(op, body);
  const rapidjson::Value* handle = member(doc, "handle");
  int64_t value = 0;
  if (!handle || !read_int64(handle, value)) fail(op, "no \"handle\" in answer", body);
  return value;
}

ApiError parse_error(std::string_view op, int status, std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    std::string code, message;
    if (const rapidjson::Value* c = member(doc, "error_code")) {
      if (c->IsString()) code = excerpt(view(*c), 100);
      if (c->IsInt64()) code = std::to_string(c->GetInt64());
    }
    if (const rapidjson::Value* m = member(doc, "message"); m && m->IsString()) {
      message = excerpt(view(*m), 1000);
    }
    if (!code.empty() || !message.empty()) {
      return ApiError::http(std::string(op), status, std::move(code), std::move(message));
    }
  }
  std::string message = body.empty() ? "empty answer" : "non-JSON answer: " + excerpt(body);
  return ApiError::http(std::string(op), status, "", std::move(message));
}

std::string excerpt(std::string_view body, size_t limit) {
  // One line first, then redact: blanks or control characters between "Bearer" and the
  // credential would otherwise hide it from redact() and become a single space here.
  std::string flat;
  bool space = false;
  for (unsigned char c : looks_like_html(body) ? html_text(body) : std::string(body)) {
    if (std::isspace(c) || std::iscntrl(c)) {
      space = !flat.empty();
      continue;
    }
    if (space) flat += ' ';
    space = false;
    flat += static_cast<char>(c);
  }
  // An error page may echo the request, Authorization header included.
  std::string out = redact(flat);
  if (out.size() <= limit) return out;
  out.resize(limit);
  // Cut before the last, possibly incomplete, UTF-8 character: never inside one.
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
  if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  return out + "...";
}

std::string parse_token_endpoint(std::string_view op, std::string_view body) {
  return required_string(op, parse_object(op, body), "token_endpoint", body);
}

OAuthToken parse_oauth_token(std::string_view op, std::string_view body) {
  rapidjson::Document doc = parse_object(op, body, /*quote=*/false);
  OAuthToken token;
  // The answer holds the secret itself: never quote it in an error.
  const rapidjson::Value* access = member(doc, "access_token");
  if (!access || !access->IsString()) fail(op, "no \"access_token\" in token answer", {});
  token.access_token = view(*access);
  const rapidjson::Value* type = member(doc, "token_type");
  token.token_type = type && type->IsString() ? std::string(view(*type)) : "Bearer";
  if (!read_int64(member(doc, "expires_in"), token.expires_in)) {
    fail(op, "\"expires_in\" is not a number", {});
  }
  return token;
}

}  // namespace dbfs::json
