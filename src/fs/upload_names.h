#pragma once

#include <string>
#include <string_view>

namespace fs::upload_names {

// Multi-block uploads go to a hidden temporary name in the file's own directory and are moved
// into place once complete, so no reader ever sees a half-uploaded file under its final name.
// Listings hide these names.
inline constexpr std::string_view kPrefix = ".dbfs-fuse-upload.";

bool is_temporary(std::string_view name);
// A fresh temporary path next to `final_path`.
std::string temporary_for(const std::string& final_path);

}  // namespace fs::upload_names
