#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace emulator {

// An HTTP-date in the IMF-fixdate form of RFC 9110 ("Sun, 06 Nov 1994 08:49:37 GMT"): the
// resolution of Last-Modified and If-Unmodified-Since is one second.
std::string format_http_date(std::time_t seconds);
// The seconds since the epoch of an IMF-fixdate; nullopt for anything else (RFC 9110 has a
// recipient ignore an If-Unmodified-Since it cannot parse).
std::optional<std::time_t> parse_http_date(std::string_view text);

}  // namespace emulator
