#include "dbfs/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dbfs/base64.h"
#include "dbfs/token_provider.h"

namespace dbfs {
namespace {

TEST(Redact, MasksRegisteredSecretsAndAuthorizationValues) {
  StaticToken token("dapi-super-secret-42");
  EXPECT_EQ(redact("token=dapi-super-secret-42; again dapi-super-secret-42"),
            "token=<redacted>; again <redacted>");
  EXPECT_EQ(redact("Authorization: Bearer abc.def-ghi"), "Authorization: Bearer <redacted>");
  EXPECT_EQ(redact("authorization: basic dXNlcjpwYXNz, next"),
            "authorization: basic <redacted>, next");
  EXPECT_EQ(redact("nothing to hide"), "nothing to hide");
}

// `text` with every byte but letters and digits percent-encoded, hex digits upper or lower.
std::string percent_encoded(std::string_view text, bool lower) {
  const char* hex = lower ? "0123456789abcdef" : "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      out += static_cast<char>(c);
    } else {
      out += {'%', hex[c >> 4], hex[c & 15]};
    }
  }
  return out;
}

std::string url_safe(std::string text) {
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

// Whether any 8 characters in a row of `encoded` that only the bytes [from, from + size) of
// what it encodes decide are still in `text`.
bool leaks_base64(const std::string& text, const std::string& encoded, size_t from, size_t size) {
  size_t first = (8 * from + 5) / 6, end = 8 * (from + size) / 6;
  for (size_t at = first; at + 8 <= end; ++at) {
    if (text.find(encoded.substr(at, 8)) != std::string::npos) return true;
  }
  return false;
}

TEST(Redact, MasksASecretInsideBase64AtEveryAlignmentInBothAlphabets) {
  // '~' and '?' make '+' and '/' appear in its base64 at some alignments.
  const std::string secret = "dapi~~~?>>>secret-0123456789";
  StaticToken token(secret);
  for (std::string prefix : {"", "B", "Be", "Bearer ", "Authorization: Bearer "}) {
    for (std::string suffix : {"", "x", "\n..."}) {
      std::string encoded = base64::encode(prefix + secret + suffix);
      for (const std::string& text : {encoded, url_safe(encoded)}) {
        std::string masked = redact("echo: " + text + " end");
        EXPECT_FALSE(leaks_base64(masked, text, prefix.size(), secret.size()))
            << prefix << "|" << masked;
        EXPECT_NE(masked.find("<redacted>"), std::string::npos) << masked;
      }
    }
  }
}

TEST(Redact, MasksAUrlEncodedSecretWithEitherCaseOfHex) {
  const std::string secret = "dapi+echo/secret=0123456789";
  StaticToken token(secret);
  for (bool lower : {false, true}) {
    std::string quoted = percent_encoded(secret, lower);
    EXPECT_EQ(redact("q=" + quoted + "&next=1"), "q=<redacted>&next=1") << quoted;
  }
  // Only the characters an encoder must escape, as most do.
  EXPECT_EQ(redact("token=dapi%2Becho%2fsecret%3D0123456789;"), "token=<redacted>;");
  EXPECT_EQ(redact("Authorization=Bearer%20abc%2Ddef&x"), "Authorization=Bearer%20<redacted>&x");
  EXPECT_EQ(redact("100% sure, %zz"), "100% sure, %zz");
}

TEST(Redact, ShortValuesAreNotRegistered) {
  register_secret("abc");
  EXPECT_EQ(redact("abc abc"), "abc abc");
}

TEST(Logging, NoLineCarriesTheToken) {
  std::string file = std::filesystem::temp_directory_path() /
                     ("dbfs-log-test-" + std::to_string(getpid()) + ".log");
  setup_logging({spdlog::level::trace, file});
  StaticToken token("dapi-never-logged-7");
  spdlog::debug("header was {}", token.authorization());
  spdlog::info("raw token dapi-never-logged-7 in a message");
  spdlog::default_logger()->flush();
  std::stringstream contents;
  contents << std::ifstream(file).rdbuf();
  std::filesystem::remove(file);
  EXPECT_EQ(contents.str().find("dapi-never-logged-7"), std::string::npos) << contents.str();
  EXPECT_NE(contents.str().find("raw token <redacted> in a message"), std::string::npos)
      << contents.str();
  spdlog::set_default_logger(spdlog::stderr_color_mt("restored"));
}

TEST(Logging, ParsesLevels) {
  EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
  EXPECT_EQ(parse_log_level("off"), spdlog::level::off);
  EXPECT_EQ(parse_log_level("loud"), std::nullopt);
}

}  // namespace
}  // namespace dbfs
