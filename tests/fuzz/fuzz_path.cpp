// libFuzzer target: DBFS path normalisation and the helpers built on it, and URL encoding.
// The input is a path as a user or the server could spell it.

#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "dbfs/path.h"
#include "dbfs/url.h"

namespace {

namespace path = dbfs::path;

// Why normalize() may refuse a path, decided independently of it.
bool nameable(std::string_view p) {
  if (p.starts_with("dbfs:")) p.remove_prefix(5);
  if (p.empty() || p[0] != '/' || p.find('\0') != std::string_view::npos) return false;
  size_t i = 0;
  while (i <= p.size()) {
    size_t end = p.find('/', i);
    if (end == std::string_view::npos) end = p.size();
    std::string_view part = p.substr(i, end - i);
    if (part == "." || part == "..") return false;
    i = end + 1;
  }
  return true;
}

void check_canonical(const std::string& p) {
  FUZZ_CHECK(!p.empty() && p[0] == '/', p);
  FUZZ_CHECK(p.find("//") == std::string::npos, p);
  FUZZ_CHECK(p == "/" || p.back() != '/', p);
  FUZZ_CHECK(p.find('\0') == std::string::npos, p);
  FUZZ_CHECK(p.find("/./") == std::string::npos && !p.ends_with("/."), p);
  FUZZ_CHECK(p.find("/../") == std::string::npos && !p.ends_with("/.."), p);
}

void check_normalize(std::string_view input) {
  std::optional<std::string> p = path::normalize(input);
  FUZZ_CHECK(p.has_value() == nameable(input), input);
  if (!p) return;
  check_canonical(*p);
  FUZZ_CHECK(path::normalize(*p) == p, *p);             // idempotent
  FUZZ_CHECK(path::normalize("dbfs:" + *p) == p, *p);   // the prefix changes nothing
  FUZZ_CHECK(path::normalize(std::string(input) + "/") == p, input);  // nor a trailing slash
  // The same components, in the same order: only slashes were dropped.
  std::string squeezed;
  std::string_view rest = input.starts_with("dbfs:") ? input.substr(5) : input;
  for (char c : rest) {
    if (c != '/' || squeezed.empty() || squeezed.back() != '/') squeezed += c;
  }
  if (squeezed.size() > 1 && squeezed.back() == '/') squeezed.pop_back();
  FUZZ_CHECK(squeezed == *p, squeezed);

  // parent/basename split a canonical path in two that join() puts back together.
  std::string parent = path::parent(*p);
  std::string_view base = path::basename(*p);
  FUZZ_CHECK(path::normalize(parent) == parent, parent);
  FUZZ_CHECK(base.find('/') == std::string_view::npos, *p);
  if (*p == "/") {
    FUZZ_CHECK(parent == "/" && base.empty(), *p);
  } else {
    FUZZ_CHECK(path::join(parent, base) == *p, *p);
    FUZZ_CHECK(parent.size() < p->size(), *p);  // walking up always ends at "/"
  }
}

// The input as one name (as readdir would hand it over) joined under a directory.
void check_join(std::string_view input) {
  if (input.empty() || input == "." || input == ".." ||
      input.find_first_of(std::string_view("/\0", 2)) != std::string_view::npos) {
    return;
  }
  for (std::string_view dir : {"/", "/a", "/a/b"}) {
    std::string joined = path::join(dir, input);
    FUZZ_CHECK(path::normalize(joined) == joined, joined);
    FUZZ_CHECK(path::parent(joined) == dir && path::basename(joined) == input, joined);
  }
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower case is not what encode_component writes
}

// Checks that `encoded` holds only unreserved characters and %XX, and decodes it.
std::string decode_component(std::string_view encoded) {
  std::string out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    auto c = static_cast<unsigned char>(encoded[i]);
    if (c != '%') {
      FUZZ_CHECK(is_unreserved(c), encoded);
      out += static_cast<char>(c);
      continue;
    }
    FUZZ_CHECK(i + 2 < encoded.size() && hex_value(encoded[i + 1]) >= 0 &&
                   hex_value(encoded[i + 2]) >= 0,
               encoded);
    auto byte = static_cast<unsigned char>(hex_value(encoded[i + 1]) * 16 + hex_value(encoded[i + 2]));
    FUZZ_CHECK(!is_unreserved(byte), encoded);  // unreserved bytes are never escaped
    out += static_cast<char>(byte);
    i += 2;
  }
  return out;
}

void check_url(std::string_view input) {
  std::string encoded = dbfs::url::encode_component(input);
  FUZZ_CHECK(decode_component(encoded) == input, encoded);
  // Split the input into a key and a value: the pairs must be separable again.
  std::string_view key = input.substr(0, input.size() / 2), value = input.substr(input.size() / 2);
  std::string pairs = dbfs::url::encode_pairs({{key, value}, {"path", input}});
  size_t eq = pairs.find('='), amp = pairs.find('&');
  FUZZ_CHECK(eq != std::string::npos && amp != std::string::npos && eq < amp, pairs);
  FUZZ_CHECK(pairs.find('&', amp + 1) == std::string::npos, pairs);
  FUZZ_CHECK(decode_component(std::string_view(pairs).substr(0, eq)) == key, pairs);
  FUZZ_CHECK(decode_component(std::string_view(pairs).substr(eq + 1, amp - eq - 1)) == value, pairs);
  FUZZ_CHECK(pairs.substr(amp + 1) == "path=" + encoded, pairs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_normalize(input);
  check_join(input);
  check_url(input);
  return 0;
}
