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
// The number of bytes `text` decodes to, or std::string_view::npos when its length cannot be
// base64 (its characters are checked by decode_to).
size_t decoded_size(std::string_view text);
// Decodes into `out`, which has room for decoded_size(text) bytes; false as decode.
bool decode_to(std::string_view text, char* out);

}  // namespace dbfs::base64
