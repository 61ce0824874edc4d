#pragma once

#include <string>
#include <string_view>

namespace dbfs::base64 {

// Standard alphabet with '=' padding, as DBFS sends and expects it.
std::string encode(std::string_view bytes);
// Appends the encoding of `bytes` to `out`.
void encode_append(std::string_view bytes, std::string& out);
size_t encoded_size(size_t bytes);

// Decodes into `out` (replacing its contents). Padding is optional; anything outside the
// alphabet, or a length that cannot be base64, returns false and leaves `out` unspecified.
bool decode(std::string_view text, std::string& out);

}  // namespace dbfs::base64
