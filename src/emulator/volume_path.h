#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace emulator::files {

// A path of the Files API, decoded and checked: "/Volumes/<catalog>/<schema>/<volume>/...".
struct VolumePath {
  std::string path;                   // decoded, absolute, no trailing slash
  std::vector<std::string> segments;  // "Volumes", catalog, schema, volume, then the rest

  // The volume itself, "/Volumes/c/s/v": a directory, never a file.
  bool is_volume_root() const { return segments.size() == kVolumeDepth; }
  // "/Volumes/c/s/v" of any path at or below a volume.
  std::string volume() const;

  static constexpr size_t kVolumeDepth = 4;
};

// The path of a request as it came on the wire (each segment percent-encoded, '/' separating
// them; a bare '+' is itself). Throws FilesApiError: 400 INVALID_PARAMETER_VALUE for a bad
// escape, an empty, "." or ".." segment, or a decoded '/' or NUL inside a segment; 403
// PERMISSION_DENIED for a path outside /Volumes or above the volume level.
VolumePath parse_volume_path(std::string_view encoded);

// Throws 403 PERMISSION_DENIED unless `path` is below a volume root: where files can be.
void require_file_path(const VolumePath& path);

}  // namespace emulator::files
