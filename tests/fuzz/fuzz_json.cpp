// libFuzzer target: everything that reads a DBFS API answer (json_codec.h) and base64.
// One input is fed to every parser as an arbitrary body, and also used as the payload of
// well-formed answers built with the request writer, which must parse back to what was written.

#include <rapidjson/document.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "dbfs/api_error.h"
#include "dbfs/base64.h"
#include "dbfs/json_codec.h"
#include "dbfs/log.h"

namespace {

using dbfs::ApiError;
using dbfs::FileInfo;
namespace json = dbfs::json;

// A registered token: no error text may ever show it, whatever the server sends.
constexpr std::string_view kSecret = "dapi0f1e2d3c4b5a69788796a5b4c3d2e1f0";

bool contains_icase(std::string_view text, std::string_view word, size_t from, size_t* at) {
  for (size_t i = from; i + word.size() <= text.size(); ++i) {
    bool same = true;
    for (size_t j = 0; j < word.size() && same; ++j) {
      same = std::tolower(static_cast<unsigned char>(text[i + j])) == word[j];
    }
    if (same) return *at = i, true;
  }
  return false;
}

// What redact() promises for text it has seen: the registered token never shows, and the word
// after "Bearer "/"Basic " is masked (or there is none: a delimiter follows; '&' ends a word in
// the query strings a URL-encoded header may sit in).
void check_no_credentials(std::string_view text) {
  FUZZ_CHECK(text.find(kSecret) == std::string_view::npos, text);
  for (std::string_view scheme : {"bearer ", "basic "}) {
    size_t at = 0;
    while (contains_icase(text, scheme, at, &at)) {
      at += scheme.size();
      std::string_view rest = text.substr(at);
      bool masked = rest.empty() || rest.starts_with("...") ||
                    std::string_view(" \t\r\n\"',;<&").find(rest[0]) != std::string_view::npos;
      FUZZ_CHECK(masked, text);
    }
  }
}

// Error text goes to logs and to users: one printable line, no credentials.
void check_error_text(const ApiError& e) {
  std::string_view what = e.what();
  for (unsigned char c : what) FUZZ_CHECK(c >= 0x20 && c != 0x7f, what);
  check_no_credentials(what);
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t j = 1; j < n; ++j) {
      if ((static_cast<unsigned char>(s[i + j]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// Runs a parser that may only fail with a protocol ApiError; anything else thrown escapes to
// libFuzzer, which reports it as a crash.
template <typename Parse>
bool parses(Parse parse) {
  try {
    parse();
    return true;
  } catch (const ApiError& e) {
    FUZZ_CHECK(e.kind() == ApiError::Kind::kProtocol, e.what());
    check_error_text(e);
    return false;
  }
}

// An independent base64 decoder, bit by bit: the fast table-driven one must agree with it on
// what is valid and on the bytes.
bool reference_decode(std::string_view text, std::string& out) {
  static const std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = text.size();
  while (n > 0 && text.size() - n < 2 && text[n - 1] == '=') --n;
  if (n != text.size() && text.size() % 4 != 0) return false;  // padding only completes a quartet
  if (n % 4 == 1) return false;
  out.clear();
  uint32_t bits = 0;
  int count = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t v = kAlphabet.find(text[i]);
    if (v == std::string_view::npos) return false;
    bits = (bits << 6) | uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return true;
}

void check_base64(std::string_view input) {
  std::string encoded = dbfs::base64::encode(input);
  FUZZ_CHECK(encoded.size() == dbfs::base64::encoded_size(input.size()), encoded);
  std::string decoded;
  FUZZ_CHECK(dbfs::base64::decode(encoded, decoded) && decoded == input, encoded);
  std::string appended = "prefix";
  dbfs::base64::encode_append(input, appended);
  FUZZ_CHECK(appended == "prefix" + encoded, appended);

  std::string fast, reference;
  bool fast_ok = dbfs::base64::decode(input, fast);
  bool reference_ok = reference_decode(input, reference);
  FUZZ_CHECK(fast_ok == reference_ok, input);
  FUZZ_CHECK(!fast_ok || fast == reference, input);
}

std::string file_info_json(const FileInfo& info) {
  // The server may send the "dbfs:" prefix; the parser must strip exactly that one.
  return json::RequestBody()
      .add("path", "dbfs:" + info.path)
      .add("is_dir", info.is_dir)
      .add("file_size", info.file_size)
      .add("modification_time", info.modification_time)
      .finish();
}

void check_file_info(std::string_view input) {
  FileInfo info;
  if (!parses([&] { info = json::parse_file_info("get-status", input); })) return;
  FileInfo again;
  std::string written = file_info_json(info);
  FUZZ_CHECK(parses([&] { again = json::parse_file_info("get-status", written); }), written);
  FUZZ_CHECK(again == info, written);
}

void check_list(std::string_view input) {
  std::vector<FileInfo> entries;
  if (!parses([&] { entries = json::parse_list("list", input); })) return;
  std::string written = "{\"files\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i) written += ',';
    written += file_info_json(entries[i]);
  }
  written += "]}";
  std::vector<FileInfo> again;
  FUZZ_CHECK(parses([&] { again = json::parse_list("list", written); }), written);
  FUZZ_CHECK(again == entries, written);
}

// RapidJSON's SSE2 scanner (json_codec.cpp enables it) reads a parse_read body 16 aligned bytes
// at a time, up to 15 bytes past its end: harmless, as an aligned read never crosses a page, but
// ASan reports it. Spare capacity keeps those bytes inside the allocation, as a body that grew
// by appending usually has.
std::string padded(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  out.assign(text);
  return out;
}

// parse_read_into decodes straight into a buffer of a given room (dbfs-fuse's blocks): for any
// answer it must agree with parse_read where the data fits, and refuse data that does not.
void check_read_into(std::string_view input) {
  std::string for_string = padded(input), for_buffer = padded(input), out;
  int64_t n = 0, m = 0;
  bool string_ok = parses([&] { n = json::parse_read("read", for_string, out); });
  std::string room(64, '\0');
  bool buffer_ok =
      parses([&] { m = json::parse_read_into("read", for_buffer, room.data(), room.size()); });
  bool fits = string_ok && out.size() <= room.size();
  FUZZ_CHECK(buffer_ok == fits, std::string(input));
  if (fits) FUZZ_CHECK(m == n && room.compare(0, out.size(), out) == 0, std::string(input));
  // The input as a payload, into exactly its room.
  std::string answer = padded(json::RequestBody()
                                  .add("bytes_read", static_cast<int64_t>(input.size()))
                                  .add("data", dbfs::base64::encode(input))
                                  .finish());
  std::string exact(input.size(), '\0');
  FUZZ_CHECK(parses([&] { m = json::parse_read_into("read", answer, exact.data(), exact.size()); }),
             std::string(input));
  FUZZ_CHECK(m == static_cast<int64_t>(input.size()) && exact == input, std::string(input));
}

void check_read(std::string_view input) {
  std::string body = padded(input), out;
  int64_t n = 0;
  if (parses([&] { n = json::parse_read("read", body, out); })) {
    FUZZ_CHECK(n == static_cast<int64_t>(out.size()), std::string(input));
  }
  // The input as the payload of a read answer: it must come back byte for byte, and a
  // bytes_read that disagrees with it must be refused.
  std::string data = dbfs::base64::encode(input);
  std::string answer = padded(json::RequestBody()
                                  .add("bytes_read", static_cast<int64_t>(input.size()))
                                  .add("data", data)
                                  .finish());
  FUZZ_CHECK(parses([&] { n = json::parse_read("read", answer, out); }), data);
  FUZZ_CHECK(n == static_cast<int64_t>(input.size()) && out == input, data);
  answer = padded(json::RequestBody()
                      .add("bytes_read", static_cast<int64_t>(input.size()) + 1)
                      .add("data", data)
                      .finish());
  FUZZ_CHECK(!parses([&] { json::parse_read("read", answer, out); }), data);
  check_read_into(input);
}

// A number taken from the input, as JSON writes it: an integral value in int64 range must come
// back exactly, anything else (fractions, overflow) must be refused rather than truncated.
// What the text stands for is decided by RapidJSON itself, with the parser's own (fast, not
// always correctly rounded) settings, so only json_codec's handling of it is under test.
void check_numbers(std::string_view input) {
  if (input.size() < sizeof(double)) return;
  double value;
  std::memcpy(&value, input.data(), sizeof value);
  if (!std::isfinite(value)) return;  // JSON has no spelling for these
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  rapidjson::Document number;
  number.Parse(text);
  bool exact = number.IsInt64();
  int64_t expected = exact ? number.GetInt64() : 0;
  if (!exact && number.IsNumber()) {
    double d = number.GetDouble();
    exact = d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
    if (exact) expected = static_cast<int64_t>(d);
  }
  std::string body = std::string("{\"path\":\"/f\",\"file_size\":") + text + "}";
  FileInfo info;
  bool ok = parses([&] { info = json::parse_file_info("get-status", body); });
  FUZZ_CHECK(ok == exact, body);
  FUZZ_CHECK(!ok || info.file_size == expected, body);
  body = std::string("{\"handle\":") + text + "}";
  int64_t handle = 0;
  ok = parses([&] { handle = json::parse_handle("create", body); });
  FUZZ_CHECK(ok == exact, body);
  FUZZ_CHECK(!ok || handle == expected, body);
}

void check_error(std::string_view input) {
  static constexpr int kStatuses[] = {0, 200, 400, 401, 403, 404, 429, 500, 502, 503, 504, 599};
  int status = kStatuses[input.size() % std::size(kStatuses)];
  // parse_error must turn any body into an ApiError: it is called while handling a failure,
  // so it may not throw at all.
  ApiError e = json::parse_error("read", status, input);
  FUZZ_CHECK(e.kind() == ApiError::Kind::kHttp && e.http_status() == status, e.what());
  FUZZ_CHECK(e.ambiguous() == (status == 502 || status == 504), e.what());
  FUZZ_CHECK(!e.message().empty() || !e.error_code().empty(), e.what());
  FUZZ_CHECK(e.to_errno() > 0, e.what());
  check_error_text(e);

  // The body as the message and as a string code of a DBFS error object.
  std::string body = json::RequestBody().add("error_code", input).add("message", input).finish();
  ApiError object = json::parse_error("read", 404, body);
  check_error_text(object);
  // A code that looks like one (RESOURCE_DOES_NOT_EXIST, 401) comes through as sent.
  bool identifier = !input.empty() && input.size() <= 64 &&
                    input.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                        std::string_view::npos;
  FUZZ_CHECK(!identifier || object.error_code() == input, object.error_code());
}

void check_excerpt(std::string_view input) {
  bool utf8 = is_valid_utf8(input);
  for (size_t limit : {size_t(0), size_t(1), size_t(16), size_t(200)}) {
    std::string out = json::excerpt(input, limit);
    std::string_view text = out;
    if (text.ends_with("...")) text.remove_suffix(3);
    // The limit counts the excerpt's own bytes; a separating space may add one.
    FUZZ_CHECK(text.size() <= limit + 1, out);
    for (unsigned char c : out) FUZZ_CHECK(c >= 0x20 && c != 0x7f, out);
    // (A cut that drops a partial UTF-8 character may leave a space before the "...": cosmetic.)
    FUZZ_CHECK(!text.starts_with(' ') && (out.ends_with("...") || !text.ends_with(' ')), out);
    FUZZ_CHECK(text.find("  ") == std::string_view::npos, out);
    FUZZ_CHECK(!utf8 || is_valid_utf8(out), out);
    check_no_credentials(out);
  }
}

// The value of "access_token" in a (possibly broken) token answer, if it looks like one.
std::string_view access_token_in(std::string_view body) {
  size_t at = body.find("\"access_token\"");
  if (at == std::string_view::npos) return {};
  at = body.find_first_not_of(" \t\r\n", at + 14);
  if (at == std::string_view::npos || body[at] != ':') return {};
  at = body.find_first_not_of(" \t\r\n", at + 1);
  if (at == std::string_view::npos || body[at] != '"') return {};
  size_t end = body.find('"', at + 1);
  if (end == std::string_view::npos) end = body.size();
  std::string_view token = body.substr(at + 1, end - at - 1);
  // Letters and digits both, nothing else but ._-: it cannot be a word of an error message.
  bool letter = false, digit = false;
  for (char c : token) {
    letter |= std::isalpha(static_cast<unsigned char>(c)) != 0;
    digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return {};
  }
  return token.size() >= 12 && letter && digit ? token : std::string_view();
}

void check_oauth(std::string_view input) {
  parses([&] { json::parse_token_endpoint("oauth", input); });
  std::string_view token = access_token_in(input);
  try {
    json::parse_oauth_token("oauth", input);
  } catch (const ApiError& e) {
    FUZZ_CHECK(e.kind() == ApiError::Kind::kProtocol, e.what());
    // The answer holds a fresh token not registered yet: an error must not quote it.
    FUZZ_CHECK(token.empty() || std::string_view(e.what()).find(token) == std::string_view::npos,
               e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  dbfs::register_secret(std::string(kSecret));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_base64(input);
  check_file_info(input);
  check_list(input);
  check_read(input);
  check_numbers(input);
  check_error(input);
  check_excerpt(input);
  check_oauth(input);
  parses([&] { json::parse_handle("create", input); });
  return 0;
}
