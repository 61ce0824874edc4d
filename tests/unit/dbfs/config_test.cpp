#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "dbfs/auth.h"
#include "dbfs/config_file.h"

namespace dbfs {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(IniFile, SectionsCommentsAndSeparators) {
  IniFile ini = IniFile::parse(
      "top = level\n"
      "# a comment\n"
      "; another\n"
      "[DEFAULT]\n"
      "host = https://a.example.com  # the workspace\n"
      "token = dapi#not-a-comment\n"
      "[ prod ]\r\n"
      "HOST: https://b.example.com ; inline\n"
      "empty =\n"
      "garbage line\n");
  const IniFile::Section* defaults = ini.section("DEFAULT");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->at("top"), "level");
  EXPECT_EQ(defaults->at("host"), "https://a.example.com");
  EXPECT_EQ(defaults->at("token"), "dapi#not-a-comment");
  const IniFile::Section* prod = ini.section("prod");
  ASSERT_TRUE(prod);
  EXPECT_EQ(prod->at("host"), "https://b.example.com");
  EXPECT_EQ(prod->at("empty"), "");
  EXPECT_EQ(prod->size(), 2u);
  EXPECT_FALSE(ini.section("missing"));
}

TEST(Host, Normalisation) {
  EXPECT_EQ(normalize_host("adb-1.2.azuredatabricks.net"), "https://adb-1.2.azuredatabricks.net");
  EXPECT_EQ(normalize_host("https://h.example.com/"), "https://h.example.com");
  EXPECT_EQ(normalize_host("https://h.example.com/some/path?o=123#x"), "https://h.example.com");
  EXPECT_EQ(normalize_host("h.example.com?o=1"), "https://h.example.com");
  EXPECT_EQ(normalize_host("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
  EXPECT_EQ(normalize_host("  https://h:443  "), "https://h:443");
  EXPECT_EQ(normalize_host(""), "");
  EXPECT_THROW(normalize_host("ftp://h"), ConfigError);
  EXPECT_THROW(normalize_host("https:///path"), ConfigError);
}

// Each test runs with no DATABRICKS_* variables and HOME in a fresh temporary directory.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) unsetenv(name);
    home_ = fs::temp_directory_path() /
            ("dbfs-config-test-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(home_);
    saved_home_ = std::getenv("HOME") ? std::getenv("HOME") : "";
    setenv("HOME", home_.c_str(), 1);
  }
  void TearDown() override {
    for (const char* name : kVariables) unsetenv(name);
    setenv("HOME", saved_home_.c_str(), 1);
    fs::remove_all(home_);
  }
  std::string write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    std::string path = home_ / name;
    std::ofstream(path) << text;
    chmod(path.c_str(), mode);
    return path;
  }

  static constexpr const char* kVariables[] = {
      "DATABRICKS_HOST",        "DATABRICKS_TOKEN",        "DATABRICKS_CONFIG_PROFILE",
      "DATABRICKS_CONFIG_FILE", "DATABRICKS_CLIENT_ID",    "DATABRICKS_CLIENT_SECRET",
      "DATABRICKS_AUTH_TYPE"};
  fs::path home_;
  std::string saved_home_;
};

constexpr const char* kProfiles =
    "[DEFAULT]\n"
    "host = file-default.example.com\n"
    "token = file-default-token\n"
    "[prod]\n"
    "host = https://file-prod.example.com/?o=1\n"
    "token = file-prod-token\n"
    "retry_timeout_seconds = 30\n"
    "http_timeout_seconds = 20\n"
    "skip_verify = true\n"
    "[m2m]\n"
    "host = m2m.example.com\n"
    "client_id = the-id\n"
    "client_secret = the-secret\n";

TEST_F(ConfigTest, DefaultProfileOfTheHomeConfigFile) {
  write(".databrickscfg", kProfiles);
  ResolvedConfig c = resolve_config({});
  EXPECT_EQ(c.host, "https://file-default.example.com");
  EXPECT_EQ(c.token, "file-default-token");
  EXPECT_EQ(c.auth_type, "pat");
  EXPECT_EQ(c.profile, "DEFAULT");
  EXPECT_EQ(c.config_file, (home_ / ".databrickscfg").string());
  EXPECT_FALSE(c.insecure);
  EXPECT_EQ(c.retry_timeout, std::chrono::seconds(120));
}

TEST_F(ConfigTest, NamedProfileFromOptionOrEnvironment) {
  write(".databrickscfg", kProfiles);
  ClientOptions options;
  options.profile = "prod";
  ResolvedConfig c = resolve_config(options);
  EXPECT_EQ(c.host, "https://file-prod.example.com");
  EXPECT_EQ(c.token, "file-prod-token");
  EXPECT_EQ(c.retry_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.http_timeout, std::chrono::seconds(20));
  EXPECT_TRUE(c.insecure);
  setenv("DATABRICKS_CONFIG_PROFILE", "prod", 1);
  EXPECT_EQ(resolve_config({}).token, "file-prod-token");
}

TEST_F(ConfigTest, OptionsBeatEnvironmentWhichBeatsTheFile) {
  write(".databrickscfg", kProfiles);
  setenv("DATABRICKS_HOST", "env.example.com", 1);
  setenv("DATABRICKS_TOKEN", "env-token", 1);
  ResolvedConfig c = resolve_config({});
  EXPECT_EQ(c.host, "https://env.example.com");
  EXPECT_EQ(c.token, "env-token");

  ClientOptions options;
  options.host = "http://127.0.0.1:9/";
  c = resolve_config(options);
  EXPECT_EQ(c.host, "http://127.0.0.1:9");
  EXPECT_EQ(c.token, "env-token") << "each layer fills only what is still unset";

  options.token = "option-token";
  EXPECT_EQ(resolve_config(options).token, "option-token");
}

TEST_F(ConfigTest, ConfigFileFromEnvironmentOrOption) {
  std::string other = write("other.cfg", "[DEFAULT]\nhost = other.example.com\ntoken = t-other\n");
  setenv("DATABRICKS_CONFIG_FILE", other.c_str(), 1);
  EXPECT_EQ(resolve_config({}).host, "https://other.example.com");
  std::string third = write("third.cfg", "[DEFAULT]\nhost = third.example.com\ntoken = t3\n");
  ClientOptions options;
  options.config_file = third;
  EXPECT_EQ(resolve_config(options).host, "https://third.example.com");
}

TEST_F(ConfigTest, TokenFileIsAnExplicitTokenTrimmed) {
  write(".databrickscfg", kProfiles);
  setenv("DATABRICKS_TOKEN", "env-token", 1);
  ClientOptions options;
  options.token_file = write("token", "  file-token-value\n\n");
  EXPECT_EQ(resolve_config(options).token, "file-token-value");
  options.token_file = write("empty-token", "\n");
  EXPECT_THROW(resolve_config(options), ConfigError);
  options.token_file = (home_ / "absent").string();
  EXPECT_THROW(resolve_config(options), ConfigError);
}

TEST_F(ConfigTest, OAuthM2MFromClientCredentials) {
  write(".databrickscfg", kProfiles);
  setenv("DATABRICKS_CONFIG_PROFILE", "m2m", 1);
  ResolvedConfig c = resolve_config({});
  EXPECT_EQ(c.auth_type, "oauth-m2m");
  EXPECT_EQ(c.client_id, "the-id");
  EXPECT_EQ(c.client_secret, "the-secret");
  setenv("DATABRICKS_AUTH_TYPE", "pat", 1);
  EXPECT_THROW(resolve_config({}), ConfigError) << "pat without a token";
}

// What resolve_config(options) complains of; empty if it does not.
std::string config_error(const ClientOptions& options) {
  try {
    resolve_config(options);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_F(ConfigTest, ClearErrors) {
  ClientOptions options;
  EXPECT_THAT(config_error(options), HasSubstr("no workspace host"));
  options.host = "h.example.com";
  EXPECT_THAT(config_error(options), HasSubstr("no credentials"));
  options.token = "t";
  options.profile = "prod";
  EXPECT_THAT(config_error(options), HasSubstr("[prod] was asked for"));
  write(".databrickscfg", kProfiles);
  options.profile = "nope";
  EXPECT_THAT(config_error(options), HasSubstr("no profile [nope]"));
  options.profile.clear();
  options.auth_type = "azure-cli";
  EXPECT_THAT(config_error(options), HasSubstr("not supported"));
  options.auth_type.clear();
  options.config_file = (home_ / "absent.cfg").string();
  EXPECT_THAT(config_error(options), HasSubstr("does not exist"));
}

TEST_F(ConfigTest, MalformedNumbersAreErrors) {
  write(".databrickscfg", "[DEFAULT]\nhost = h\ntoken = t\nretry_timeout_seconds = soon\n");
  EXPECT_THROW(resolve_config({}), ConfigError);
}

TEST_F(ConfigTest, MakesAnHttpApiConfig) {
  ClientOptions options;
  options.host = "h.example.com";
  options.token = "tok-123456";
  options.ca_file = "/etc/ca.pem";
  options.retry_timeout_seconds = 7;
  options.connect_timeout_seconds = 3;
  HttpApiConfig api = make_http_api_config(resolve_config(options));
  EXPECT_EQ(api.host, "https://h.example.com");
  EXPECT_EQ(api.token->authorization(), "Bearer tok-123456");
  EXPECT_EQ(api.transport.ca_file, "/etc/ca.pem");
  EXPECT_EQ(api.transport.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(api.retry.budget, std::chrono::seconds(7));
}

}  // namespace
}  // namespace dbfs
