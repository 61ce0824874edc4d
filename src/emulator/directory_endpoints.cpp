// The Files API endpoints on directories: HEAD, GET (a listing, page by page), PUT (mkdir -p),
// DELETE (an empty directory only).

#include <charconv>
#include <optional>

#include "emulator/files_answers.h"
#include "emulator/files_api_error.h"
#include "emulator/files_endpoints.h"

namespace emulator::files {
namespace {

// A page holds at most this many entries; a larger page_size is taken as this one.
constexpr int64_t kMaxPageSize = 1000;

int64_t page_size(const httplib::Request& req) {
  if (!req.has_param("page_size")) return kMaxPageSize;
  std::string text = req.get_param_value("page_size");
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    throw invalid("page_size must be a whole number >= 0, got '" + text + "'");
  // 0 asks for the server's own page size, as max_results=0 does in Unity Catalog listings.
  return value == 0 ? kMaxPageSize : std::min(value, kMaxPageSize);
}

// Tokens are opaque to clients: the hex of the last name a page held. The next page starts
// after that name, so entries added or removed meanwhile shift nothing already listed.
std::string page_token_after(const std::string& name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char c : name) {
    token += kHex[c >> 4];
    token += kHex[c & 15];
  }
  return token;
}

std::string name_in_page_token(const std::string& token) {
  std::string name;
  auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  for (size_t i = 0; i + 1 < token.size(); i += 2) {
    int high = digit(token[i]), low = digit(token[i + 1]);
    if (high < 0 || low < 0) break;
    name += char(high * 16 + low);
  }
  if (token.empty() || name.size() * 2 != token.size())
    throw invalid("Invalid page_token '" + token + "'");
  return name;
}

}  // namespace

uint64_t head_directory(VolumeStore& store, std::string_view encoded, const httplib::Request&,
                        httplib::Response& res, BodyReader) {
  VolumePath path = parse_volume_path(encoded);
  if (!store.is_directory(path)) throw directory_not_found(path.path);
  res.status = 200;
  return 0;
}

uint64_t list_directory(VolumeStore& store, std::string_view encoded, const httplib::Request& req,
                        httplib::Response& res, BodyReader) {
  VolumePath path = parse_volume_path(encoded);
  int64_t limit = page_size(req);
  std::string after;
  if (req.has_param("page_token")) after = name_in_page_token(req.get_param_value("page_token"));
  VolumePage page = store.list(path, size_t(limit), after);
  std::string token = page.more ? page_token_after(page.entries.back().name) : "";
  res.status = 200;
  res.body = listing_body(path, page, token);
  res.set_header("Content-Type", "application/json");
  return 0;
}

uint64_t make_directory(VolumeStore& store, std::string_view encoded, const httplib::Request&,
                        httplib::Response& res, BodyReader) {
  store.make_directories(parse_volume_path(encoded));
  res.status = 204;
  return 0;
}

uint64_t delete_directory(VolumeStore& store, std::string_view encoded, const httplib::Request&,
                          httplib::Response& res, BodyReader) {
  store.remove_directory(parse_volume_path(encoded));
  res.status = 204;
  return 0;
}

}  // namespace emulator::files
