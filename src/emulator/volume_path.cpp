#include "emulator/volume_path.h"

#include <optional>

#include "dbfs/url.h"
#include "emulator/files_api_error.h"

namespace emulator::files {
namespace {

std::string decode_segment(std::string_view encoded, std::string_view whole) {
  std::optional<std::string> segment = dbfs::url::decode(encoded);
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
