#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dbfs/config_file.h"
#include "dbfs/http_api.h"

namespace dbfs {

// What the user said explicitly (mount options, command line). Empty or nullopt: not said, so
// the environment and then the profile decide.
struct ClientOptions {
  std::string profile;      // section of the config file; DEFAULT unless named
  std::string config_file;  // instead of $DATABRICKS_CONFIG_FILE or ~/.databrickscfg
  std::string host;
  std::string token;
  std::string token_file;   // a file holding the token (trimmed); counts as an explicit token
  std::string client_id;
  std::string client_secret;
  std::string auth_type;    // "pat" or "oauth-m2m"; chosen from the credentials found if empty
  std::string ca_file;
  std::optional<bool> insecure;
  std::optional<int> connect_timeout_seconds;
  std::optional<int> http_timeout_seconds;   // inactivity timeout of one request
  std::optional<int> retry_timeout_seconds;  // retry budget of one call
};

// Everything needed to talk to the workspace, after Databricks unified-auth resolution.
struct ResolvedConfig {
  std::string host;  // normalised: "https://adb-1.2.azuredatabricks.net"
  std::string auth_type;  // "pat" or "oauth-m2m"
  std::string token;
  std::string client_id;
  std::string client_secret;
  std::string config_file;  // the file read, empty if none
  std::string profile;      // the profile read from it
  std::string ca_file;
  bool insecure = false;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds http_timeout{60};
  std::chrono::seconds retry_timeout{120};
};

// Explicit options, then DATABRICKS_HOST / _TOKEN / _CLIENT_ID / _CLIENT_SECRET / _AUTH_TYPE,
// then the profile ($DATABRICKS_CONFIG_PROFILE or DEFAULT) of the config file
// ($DATABRICKS_CONFIG_FILE or ~/.databrickscfg): each layer fills only what is still unset.
// Throws ConfigError when there is no host or no credential, when a profile or config file
// named explicitly is missing, or when a value is malformed.
ResolvedConfig resolve_config(const ClientOptions& options);

// "adb-1.net" -> "https://adb-1.net"; "https://h/path?o=1" -> "https://h"; "http://" is kept.
std::string normalize_host(std::string_view host);

// The token provider the resolved credentials call for.
std::shared_ptr<TokenProvider> make_token_provider(const ResolvedConfig& config);
// An HttpApiConfig with host, credentials, TLS options, timeouts and retry budget filled in.
HttpApiConfig make_http_api_config(const ResolvedConfig& config);

}  // namespace dbfs
