#include "dbfs/auth.h"

#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <map>

namespace dbfs {
namespace {

// Settings by their config-file key, filled layer by layer.
class Settings {
 public:
  void fill(const std::string& key, std::string_view value) {
    if (!value.empty() && !values_.contains(key)) values_[key] = std::string(value);
  }
  std::string get(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? std::string() : it->second;
  }

 private:
  std::map<std::string, std::string> values_;
};

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string home_directory() {
  std::string home = env("HOME");
  if (home.empty()) {
    if (const passwd* pw = getpwuid(getuid())) home = pw->pw_dir;
  }
  return home;
}

std::string read_token_file(const std::string& path) {
  std::optional<std::string> contents = read_secret_file(path);
  if (!contents) throw ConfigError("token file " + path + " does not exist");
  std::string token(trim_blanks(*contents));
  if (token.empty()) throw ConfigError("token file " + path + " is empty");
  return token;
}

TransportOptions transport_options(const ResolvedConfig& config) {
  TransportOptions transport;
  transport.ca_file = config.ca_file;
  transport.insecure = config.insecure;
  transport.connect_timeout = config.connect_timeout;
  transport.inactivity_timeout = config.http_timeout;
  return transport;
}

std::optional<int> to_seconds(const std::string& key, const std::string& text) {
  if (text.empty()) return std::nullopt;
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) {
    throw ConfigError(key + " must be a positive number of seconds, not \"" + text + "\"");
  }
  return value;
}

bool to_bool(const std::string& key, const std::string& text) {
  if (text.empty() || text == "false" || text == "False" || text == "0") return false;
  if (text == "true" || text == "True" || text == "1") return true;
  throw ConfigError(key + " must be true or false, not \"" + text + "\"");
}

void fill_from_explicit(Settings& s, const ClientOptions& o) {
  s.fill("host", o.host);
  s.fill("token", o.token);
  if (!o.token_file.empty() && o.token.empty()) s.fill("token", read_token_file(o.token_file));
  s.fill("client_id", o.client_id);
  s.fill("client_secret", o.client_secret);
  s.fill("auth_type", o.auth_type);
  if (o.insecure) s.fill("skip_verify", *o.insecure ? "true" : "false");
  if (o.http_timeout_seconds) s.fill("http_timeout_seconds", std::to_string(*o.http_timeout_seconds));
  if (o.retry_timeout_seconds) {
    s.fill("retry_timeout_seconds", std::to_string(*o.retry_timeout_seconds));
  }
}

void fill_from_environment(Settings& s) {
  s.fill("host", env("DATABRICKS_HOST"));
  s.fill("token", env("DATABRICKS_TOKEN"));
  s.fill("client_id", env("DATABRICKS_CLIENT_ID"));
  s.fill("client_secret", env("DATABRICKS_CLIENT_SECRET"));
  s.fill("auth_type", env("DATABRICKS_AUTH_TYPE"));
}

// Fills from the profile; records in `config` which file and profile were read.
void fill_from_profile(Settings& s, const ClientOptions& o, ResolvedConfig& config) {
  std::string profile = !o.profile.empty() ? o.profile : env("DATABRICKS_CONFIG_PROFILE");
  bool profile_named = !profile.empty();
  if (!profile_named) profile = "DEFAULT";
  std::string path = !o.config_file.empty() ? o.config_file : env("DATABRICKS_CONFIG_FILE");
  bool path_named = !path.empty();
  if (!path_named) path = home_directory() + "/.databrickscfg";

  std::optional<std::string> text = read_secret_file(path);
  if (!text) {
    if (path_named) throw ConfigError("config file " + path + " does not exist");
    if (profile_named) {
      throw ConfigError("profile [" + profile + "] was asked for but " + path + " does not exist");
    }
    return;
  }
  IniFile ini = IniFile::parse(*text);
  const IniFile::Section* section = ini.section(profile);
  if (!section || (section->empty() && profile != "DEFAULT")) {
    if (profile_named) throw ConfigError("no profile [" + profile + "] in " + path);
    return;
  }
  for (const auto& [key, value] : *section) s.fill(key, value);
  config.config_file = path;
  config.profile = profile;
}

}  // namespace

std::string normalize_host(std::string_view host) {
  std::string text(trim_blanks(host));
  if (text.empty()) return text;
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string::npos) {
    text = "https://" + text;
    scheme_end = 5;
  }
  std::string scheme = text.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http") {
    throw ConfigError("host " + text + ": only https:// (or http:// for tests) is supported");
  }
  size_t authority = scheme_end + 3;
  size_t end = text.find_first_of("/?#", authority);
  if (end == authority || authority >= text.size()) throw ConfigError("host " + text + " names no server");
  text.resize(std::min(end, text.size()));
  for (unsigned char c : text) {
    if (c <= ' ' || c == 0x7f) throw ConfigError("host " + text + " holds blanks or control characters");
  }
  return text;
}

ResolvedConfig resolve_config(const ClientOptions& options) {
  Settings s;
  ResolvedConfig config;
  fill_from_explicit(s, options);
  fill_from_environment(s);
  fill_from_profile(s, options, config);

  std::string where = config.config_file.empty()
                          ? std::string()
                          : " (read profile [" + config.profile + "] of " + config.config_file + ")";
  config.host = normalize_host(s.get("host"));
  if (config.host.empty()) {
    throw ConfigError("no workspace host: set the host option, DATABRICKS_HOST, or host in a "
                      "~/.databrickscfg profile" + where);
  }
  config.token = s.get("token");
  config.client_id = s.get("client_id");
  config.client_secret = s.get("client_secret");
  config.auth_type = s.get("auth_type");
  if (config.auth_type.empty()) {
    if (!config.token.empty()) {
      config.auth_type = "pat";
    } else if (!config.client_id.empty() && !config.client_secret.empty()) {
      config.auth_type = "oauth-m2m";
    }
  }
  if (config.auth_type == "pat") {
    if (config.token.empty()) throw ConfigError("auth_type pat needs a token" + where);
  } else if (config.auth_type == "oauth-m2m") {
    if (config.client_id.empty() || config.client_secret.empty()) {
      throw ConfigError("auth_type oauth-m2m needs client_id and client_secret" + where);
    }
  } else if (config.auth_type.empty()) {
    throw ConfigError("no credentials for " + config.host + ": set a token (token, token_file, "
                      "DATABRICKS_TOKEN) or client_id and client_secret" + where);
  } else {
    throw ConfigError("auth_type " + config.auth_type + " is not supported (pat, oauth-m2m)");
  }

  config.ca_file = options.ca_file;
  config.insecure = to_bool("skip_verify", s.get("skip_verify"));
  if (options.connect_timeout_seconds) {
    config.connect_timeout = std::chrono::seconds(*options.connect_timeout_seconds);
  }
  if (auto t = to_seconds("http_timeout_seconds", s.get("http_timeout_seconds"))) {
    config.http_timeout = std::chrono::seconds(*t);
  }
  if (auto t = to_seconds("retry_timeout_seconds", s.get("retry_timeout_seconds"))) {
    config.retry_timeout = std::chrono::seconds(*t);
  }
  return config;
}

std::shared_ptr<TokenProvider> make_token_provider(const ResolvedConfig& config) {
  if (config.auth_type == "oauth-m2m") {
    RetryOptions retry;
    retry.budget = config.retry_timeout;
    return std::make_shared<OAuthM2M>(config.host, config.client_id, config.client_secret,
                                      transport_options(config), retry);
  }
  return std::make_shared<StaticToken>(config.token);
}

HttpApiConfig make_http_api_config(const ResolvedConfig& config) {
  HttpApiConfig api;
  api.host = config.host;
  api.token = make_token_provider(config);
  api.transport = transport_options(config);
  api.retry.budget = config.retry_timeout;
  return api;
}

}  // namespace dbfs
