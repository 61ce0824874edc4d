#include "emulator/volume_path.h"

#include <optional>

#include "emulator/files_api_error.h"

namespace emulator::files {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded; nothing else is special ('+' stays '+'). nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += char(high * 16 + low);
    i += 2;
  }
  return out;
}

std::string decode_segment(std::string_view encoded, std::string_view whole) {
  std::optional<std::string> segment = percent_decode(encoded);
  if (!segment) throw invalid("Malformed percent-encoding in the path " + std::string(whole));
  if (segment->empty() || *segment == "." || *segment == "..")
    throw invalid("The path " + std::string(whole) + " has an empty, '.' or '..' component");
  if (segment->find('/') != std::string::npos || segment->find('\0') != std::string::npos)
    throw invalid("A component of the path " + std::string(whole) + " holds '/' or NUL");
  return *segment;
}

}  // namespace

std::string VolumePath::volume() const {
  std::string root;
  for (size_t i = 0; i < kVolumeDepth && i < segments.size(); ++i) root += "/" + segments[i];
  return root;
}

VolumePath parse_volume_path(std::string_view encoded) {
  if (!encoded.starts_with('/')) throw invalid("The path must be absolute: " + std::string(encoded));
  VolumePath result;
  std::string_view rest = encoded.substr(1);
  for (;;) {
    size_t slash = rest.find('/');
    result.segments.push_back(decode_segment(rest.substr(0, slash), encoded));
    result.path += "/" + result.segments.back();
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (result.segments.front() != "Volumes" || result.segments.size() < VolumePath::kVolumeDepth)
    throw outside_volume(result.path);
  return result;
}

void require_file_path(const VolumePath& path) {
  if (path.segments.size() <= VolumePath::kVolumeDepth) throw outside_volume(path.path);
}

}  // namespace emulator::files
