#include "emulator/http_date.h"

#include <array>
#include <charconv>

namespace emulator {
namespace {

constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Exactly `digits` decimal digits at `text[at]`; -1 otherwise.
int number_at(std::string_view text, size_t at, size_t digits) {
  if (at + digits > text.size()) return -1;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + digits, value);
  return ec == std::errc() && end == text.data() + at + digits ? value : -1;
}

}  // namespace

std::string format_http_date(std::time_t seconds) {
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[size_t(tm.tm_wday)].data(), tm.tm_mday, kMonths[size_t(tm.tm_mon)].data(),
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return text;
}

std::optional<std::time_t> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions, 29 characters.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT" ||
      text[7] != ' ' || text[11] != ' ' || text[16] != ' ' || text[19] != ':' || text[22] != ':')
    return std::nullopt;
  std::tm tm{};
  tm.tm_mday = number_at(text, 5, 2);
  tm.tm_year = number_at(text, 12, 4) - 1900;
  tm.tm_hour = number_at(text, 17, 2);
  tm.tm_min = number_at(text, 20, 2);
  tm.tm_sec = number_at(text, 23, 2);
  tm.tm_mon = -1;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (text.substr(8, 3) == kMonths[i]) tm.tm_mon = int(i);
  }
  if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_year < 0 || tm.tm_hour < 0 || tm.tm_hour > 23 ||
      tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60 || tm.tm_mon < 0)
    return std::nullopt;
  return timegm(&tm);
}

}  // namespace emulator
