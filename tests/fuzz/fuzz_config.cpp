// libFuzzer target: the ~/.databrickscfg parser (IniFile) and resolve_config's use of it.
// The input is the file's text. The parse is compared with a model written from the format
// as config_file.h documents it; resolve_config then reads the same text from a file and must
// either take exactly the chosen profile's values or refuse with a ConfigError.

#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "dbfs/auth.h"
#include "dbfs/config_file.h"

namespace {

using Model = std::map<std::string, dbfs::IniFile::Section>;

int config_fd = -1;
std::string config_path;

std::string_view trim(std::string_view s) {
  size_t start = s.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  return s.substr(start, s.find_last_not_of(" \t\r\n") - start + 1);
}

// The format, as documented: "[name]" headers; "key = value" or "key: value"; comment lines
// start with '#' or ';'; an inline comment needs blank space before its '#' or ';'; keys are
// lower-cased; lines before any header belong to DEFAULT. Also the parser's choices for what
// the documentation leaves open: an unclosed header line and a line without a separator are
// ignored, a repeated key keeps its last value.
Model model_parse(std::string_view text, std::vector<std::string>& headers) {
  Model model;
  std::string current = "DEFAULT";
  model[current];
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      size_t close = line.find(']');
      if (close == std::string_view::npos) continue;
      current = std::string(trim(line.substr(1, close - 1)));
      model[current];
      headers.push_back(current);
      continue;
    }
    size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, sep)));
    for (char& c : key) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    std::string_view value = line.substr(sep + 1);
    for (size_t i = 1; i < value.size(); ++i) {
      if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        value = value.substr(0, i);
        break;
      }
    }
    model[current][key] = std::string(trim(value));
  }
  return model;
}

void check_host(std::string_view input) {
  std::string host;
  try {
    host = dbfs::normalize_host(input);
  } catch (const dbfs::ConfigError&) {
    return;
  }
  if (host.empty()) return;
  FUZZ_CHECK(host.starts_with("https://") || host.starts_with("http://"), host);
  size_t authority = host.find("://") + 3;
  FUZZ_CHECK(authority < host.size(), host);
  FUZZ_CHECK(host.find_first_of("/?#", authority) == std::string::npos, host);
  FUZZ_CHECK(dbfs::normalize_host(host) == host, host);  // idempotent
}

// Whether `secret` could only have reached `message` by being quoted as the secret it is: it
// looks like a credential (long, several digits, which no message's own words have; only
// characters that do not join a message's words to a quoted value) and no other value, the
// profile name or the path holds it.
bool leaks(std::string_view message, const std::string& secret, const dbfs::IniFile::Section& s,
           const std::string& secret_key, const std::string& profile) {
  int digits = 0;
  for (char c : secret) {
    digits += c >= '0' && c <= '9';
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  if (secret.size() < 12 || digits < 3 || message.find(secret) == std::string_view::npos) {
    return false;
  }
  if (profile.find(secret) != std::string::npos || config_path.find(secret) != std::string::npos) {
    return false;
  }
  for (const auto& [key, value] : s) {
    if (key != secret_key &&
        (key.find(secret) != std::string::npos || value.find(secret) != std::string::npos)) {
      return false;
    }
  }
  return true;
}

void check_resolve(std::string_view input, const Model& model, const std::vector<std::string>& headers) {
  if (ftruncate(config_fd, 0) != 0 || pwrite(config_fd, input.data(), input.size(), 0) < 0) abort();
  dbfs::ClientOptions options;
  options.config_file = config_path;
  // Pick a profile from the file's own headers (or none: DEFAULT), so lookups mostly succeed.
  size_t pick = input.empty() ? 0 : static_cast<unsigned char>(input.back()) % (headers.size() + 1);
  if (pick < headers.size()) options.profile = headers[pick];
  std::string profile = options.profile.empty() ? "DEFAULT" : options.profile;
  static const dbfs::IniFile::Section kNone;
  auto it = model.find(profile);
  const dbfs::IniFile::Section& section = it == model.end() ? kNone : it->second;
  auto get = [&](const char* key) {
    auto v = section.find(key);
    return v == section.end() ? std::string() : v->second;
  };

  dbfs::ResolvedConfig config;
  try {
    config = dbfs::resolve_config(options);
  } catch (const dbfs::ConfigError& e) {
    FUZZ_CHECK(!leaks(e.what(), get("token"), section, "token", profile), e.what());
    FUZZ_CHECK(!leaks(e.what(), get("client_secret"), section, "client_secret", profile), e.what());
    return;
  }
  FUZZ_CHECK(config.config_file == config_path && config.profile == profile, config.profile);
  FUZZ_CHECK(config.host == dbfs::normalize_host(get("host")) && !config.host.empty(), config.host);
  if (config.auth_type == "pat") {
    FUZZ_CHECK(!config.token.empty() && config.token == get("token"), config.token);
  } else {
    FUZZ_CHECK(config.auth_type == "oauth-m2m", config.auth_type);
    FUZZ_CHECK(config.client_id == get("client_id") && !config.client_id.empty(), config.client_id);
    FUZZ_CHECK(config.client_secret == get("client_secret") && !config.client_secret.empty(),
               config.client_secret);
  }
  FUZZ_CHECK(config.http_timeout.count() > 0 && config.retry_timeout.count() > 0, profile);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Only the file under test may be read: no environment layer, no ~/.databrickscfg.
  for (const char* name : {"DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID",
                           "DATABRICKS_CLIENT_SECRET", "DATABRICKS_AUTH_TYPE",
                           "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CONFIG_FILE"}) {
    unsetenv(name);
  }
  setenv("HOME", "/nonexistent", 1);
  spdlog::set_level(spdlog::level::off);
  // An in-memory file: no disk writes per execution, nothing left behind.
  config_fd = memfd_create("databrickscfg", 0);
  if (config_fd < 0 || fchmod(config_fd, 0600) != 0) abort();
  config_path = "/proc/self/fd/" + std::to_string(config_fd);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  dbfs::IniFile ini = dbfs::IniFile::parse(input);
  std::vector<std::string> headers;
  Model model = model_parse(input, headers);
  for (const auto& [name, section] : model) {
    const dbfs::IniFile::Section* parsed = ini.section(name);
    FUZZ_CHECK(parsed != nullptr, name);
    FUZZ_CHECK(*parsed == section, name);
    for (const auto& [key, value] : section) FUZZ_CHECK(ini.section(name)->at(key) == value, key);
  }
  // Hosts as the file gives them: one line, trimmed.
  for (const auto& [name, section] : model) {
    if (auto host = section.find("host"); host != section.end()) check_host(host->second);
  }
  check_resolve(input, model, headers);
  return 0;
}
