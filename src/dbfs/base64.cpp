#include "dbfs/base64.h"

#include <cstdint>

#include "dbfs/base64_avx2.h"

namespace dbfs::base64 {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint32_t kInvalid = 0xFF000000u;

// One table per position in a quartet, each holding the 6-bit value already shifted into place,
// so a quartet decodes with four loads and three ORs; any invalid character sets the top byte.
// Plain arrays, not std::array: a sanitized build does not inline operator[], which then costs
// a call per character (the test suite runs sanitized).
struct DecodeTables {
  uint32_t t[4][256];
  constexpr DecodeTables() : t{} {
    for (auto& table : t) {
      for (auto& entry : table) entry = kInvalid;
    }
    for (uint32_t v = 0; v < 64; ++v) {
      auto c = static_cast<unsigned char>(kAlphabet[v]);
      t[0][c] = v << 18;
      t[1][c] = v << 12;
      t[2][c] = v << 6;
      t[3][c] = v;
    }
  }
};
constexpr DecodeTables kTables;

inline uint32_t quartet(const unsigned char* p) {
  return kTables.t[0][p[0]] | kTables.t[1][p[1]] | kTables.t[2][p[2]] | kTables.t[3][p[3]];
}

}  // namespace

size_t encoded_size(size_t bytes) { return (bytes + 2) / 3 * 4; }

void encode_append(std::string_view bytes, std::string& out) {
  size_t start = out.size();
  out.resize(start + encoded_size(bytes.size()));
  char* o = out.data() + start;
  auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size(), i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t(p[i]) << 16) | (uint32_t(p[i + 1]) << 8) | p[i + 2];
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (size_t rest = n - i) {
    uint32_t v = uint32_t(p[i]) << 16;
    if (rest == 2) v |= uint32_t(p[i + 1]) << 8;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
}

std::string encode(std::string_view bytes) {
  std::string out;
  encode_append(bytes, out);
  return out;
}

// The text without its padding, or npos when its length cannot be base64.
size_t unpadded_length(std::string_view text) {
  size_t n = text.size();
  if (n >= 1 && text[n - 1] == '=') --n;
  if (n >= 1 && text[n - 1] == '=') --n;
  if (n % 4 == 1) return std::string_view::npos;
  // Padding is only allowed to complete the last quartet.
  if (text.size() != n && text.size() % 4 != 0) return std::string_view::npos;
  return n;
}

size_t decoded_size(std::string_view text) {
  size_t n = unpadded_length(text);
  if (n == std::string_view::npos) return n;
  return n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
}

bool decode_to(std::string_view text, char* out) {
  size_t n = unpadded_length(text);
  if (n == std::string_view::npos) return false;
  auto* p = reinterpret_cast<const unsigned char*>(text.data());
  auto* o = reinterpret_cast<unsigned char*>(out);
  size_t full = n / 4 * 4, i = 0;
  uint32_t bad = 0;
  static const bool vectorised = detail::avx2_available();
  if (vectorised) {
    bool valid = true;
    i = detail::decode_avx2(p, full, o, valid);
    o += i / 4 * 3;
    if (!valid) return false;
  }
  for (; i + 8 <= full; i += 8, o += 6) {
    uint32_t a = quartet(p + i), b = quartet(p + i + 4);
    bad |= a | b;
    o[0] = uint8_t(a >> 16); o[1] = uint8_t(a >> 8); o[2] = uint8_t(a);
    o[3] = uint8_t(b >> 16); o[4] = uint8_t(b >> 8); o[5] = uint8_t(b);
  }
  for (; i < full; i += 4, o += 3) {
    uint32_t a = quartet(p + i);
    bad |= a;
    o[0] = uint8_t(a >> 16); o[1] = uint8_t(a >> 8); o[2] = uint8_t(a);
  }
  if (size_t rest = n - full) {
    uint32_t v = kTables.t[0][p[i]] | kTables.t[1][p[i + 1]];
    if (rest == 3) v |= kTables.t[2][p[i + 2]];
    bad |= v;
    *o++ = uint8_t(v >> 16);
    if (rest == 3) *o++ = uint8_t(v >> 8);
  }
  return (bad & kInvalid) == 0;
}

bool decode(std::string_view text, std::string& out) {
  size_t size = decoded_size(text);
  if (size == std::string_view::npos) return false;
  out.resize(size);
  return decode_to(text, out.data());
}

}  // namespace dbfs::base64
