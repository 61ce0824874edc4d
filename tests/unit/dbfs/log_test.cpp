#include "dbfs/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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
