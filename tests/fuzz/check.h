#pragma once

// What every harness needs: an invariant check that stays on in release builds (assert() would
// vanish under NDEBUG) and tells libFuzzer about the failure by aborting, which it reports as a
// crash and saves the input for.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond, what)                                                          \
  do {                                                                                  \
    if (!(cond)) ::fuzz::fail(__FILE__, __LINE__, #cond, (what));                        \
  } while (0)

namespace fuzz {

// Non-printable bytes as \xNN, so the report shows exactly what went wrong.
inline std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

[[noreturn]] inline void fail(const char* file, int line, const char* cond, std::string_view what) {
  std::fprintf(stderr, "\nINVARIANT FAILED at %s:%d: %s\n  %s\n", file, line, cond,
               printable(what).c_str());
  std::abort();
}

}  // namespace fuzz
