#include "emulator/byte_range.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "emulator/files_api_error.h"

namespace emulator::files {
namespace {

// Digits only; nullopt for anything else, an empty text included.
std::optional<int64_t> position(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0)
    return std::nullopt;
  return value;
}

}  // namespace

std::optional<ByteRange> parse_range(std::string_view header, int64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  if (!header.starts_with(kUnit) || header.find(',') != std::string_view::npos) return std::nullopt;
  std::string_view spec = header.substr(kUnit.size());
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);
  if (first_text.empty()) {  // a suffix: the last n bytes
    std::optional<int64_t> n = position(last_text);
    if (!n) return std::nullopt;
    if (*n == 0 || size == 0) throw range_not_satisfiable(header, size);
    int64_t length = std::min(*n, size);
    return ByteRange{size - length, length};
  }
  std::optional<int64_t> first = position(first_text);
  std::optional<int64_t> last = last_text.empty() ? std::optional<int64_t>(INT64_MAX)
                                                  : position(last_text);
  if (!first || !last || *last < *first) return std::nullopt;
  if (*first >= size) throw range_not_satisfiable(header, size);
  return ByteRange{*first, std::min(*last, size - 1) - *first + 1};
}

}  // namespace emulator::files
