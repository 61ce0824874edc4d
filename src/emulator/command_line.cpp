#include "emulator/command_line.h"

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace emulator {
namespace {

[[noreturn]] void fail(const std::string& why) { throw std::invalid_argument(why); }

// A number >= 0 of type T (whole for integers), or a message naming the option.
template <typename T>
T non_negative(std::string_view option, std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    fail(std::string(option) + " needs a number >= 0, got '" + std::string(text) + "'");
  return value;
}

int64_t whole_number(std::string_view option, std::string_view text) {
  return non_negative<int64_t>(option, text);
}

// The switches for the service's behaviours that the contracts mark [guess]; false for any
// other option.
bool parse_guess_switch(std::string_view option, std::string_view value, Config& config) {
  StoreOptions& store = config.store;
  if (option == "--handle-timeout-s") {
    store.handle_timeout = std::chrono::seconds(whole_number(option, value));
  } else if (option == "--visible-at") {
    if (value == "create") store.visible_at = VisibleAt::kCreate;
    else if (value == "close") store.visible_at = VisibleAt::kClose;
    else fail("--visible-at must be create or close");
  } else if (option == "--nonempty-delete") {
    if (value != "IO_ERROR" && value != "BAD_REQUEST")
      fail("--nonempty-delete must be IO_ERROR or BAD_REQUEST");
    store.nonempty_delete_code = value;
  } else if (option == "--partial-delete-after") {
    store.partial_delete_after = whole_number(option, value);
  } else if (option == "--list-limit") {
    store.list_limit = whole_number(option, value);
  } else if (option == "--volumes-implicit-parents") {
    if (value != "on" && value != "off") fail("--volumes-implicit-parents must be on or off");
    config.server.volumes.implicit_parents = value == "on";
  } else {
    return false;
  }
  return true;
}

// The OAuth client and the TLS files; false for any other option.
bool parse_credentials_option(std::string_view option, std::string_view value,
                              ServerOptions& server) {
  if (option == "--oauth-client") {
    size_t colon = value.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size())
      fail("--oauth-client needs ID:SECRET");
    server.auth.client_id = std::string(value.substr(0, colon));
    server.auth.client_secret = std::string(value.substr(colon + 1));
  } else if (option == "--oauth-token-ttl-s") {
    server.auth.oauth_token_ttl = std::chrono::seconds(whole_number(option, value));
  } else if (option == "--cert") {
    server.cert_file = value;
  } else if (option == "--key") {
    server.key_file = value;
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::string usage() {
  return std::string(R"(Usage: dbfs-emulator --root DIR [options]

A Databricks DBFS API 2.0 server over a local folder (DBFS /a/b is DIR/a/b), with fault injection,
that also serves the Files API 2.0 (/api/2.0/fs/files and /fs/directories) on the Unity Catalog
volumes DIR/Volumes/<catalog>/<schema>/<volume>/ (any folder three levels below DIR/Volumes).
Prints "dbfs-emulator listening on http(s)://HOST:PORT" once it accepts connections.

  --root DIR                 the served folder (created if missing)
  --host HOST                address to listen on (default 127.0.0.1)
  --port N                   port (default 0: any free port)
  --token TOKEN              the accepted Bearer token (or env DBFS_EMULATOR_TOKEN)
  --no-auth                  accept requests without credentials
  --oauth-client ID:SECRET   serve OAuth M2M (/oidc/...), issuing tokens the API accepts
  --oauth-token-ttl-s N      lifetime of those tokens (default 3600)
  --cert PEM --key PEM       serve HTTPS
  --latency-ms N             added to every API answer
  --jitter-ms N              plus a random 0..N ms
  --handle-timeout-s N       write handles expire after N idle seconds (default 600)
  --visible-at create|close  a file being written is visible from create (default) or only
                             from close
  --nonempty-delete IO_ERROR|BAD_REQUEST
                             error_code of a non-recursive delete of a non-empty directory
  --partial-delete-after N   a recursive delete removes at most N files per call, then answers
                             503 PARTIAL_DELETE (default 0: no limit)
  --list-limit N             list of a directory with more than N entries answers 504
                             TEMPORARILY_UNAVAILABLE like a workspace's timeout (default 0: none)
  --volumes-implicit-parents on|off
                             Files API: a file uploaded below missing directories creates them
                             (default on); off, the upload answers 404
  --dbfs-root-disabled       every DBFS API call answers 403 PERMISSION_DENIED, as in a
                             workspace with the legacy DBFS root switched off (calls on /Volumes
                             always do)
  --rate-limit RPS           at most RPS API requests per second, else 429 with Retry-After: 1
  --fault SPEC               a fault rule (repeatable), see below
  --log-level LEVEL          trace, debug, info, warn, error, off (default info)
  --help                     this text

Control endpoints (same token as the API): GET /emulator/v1/stats, POST /emulator/v1/reset,
POST /emulator/v1/faults (a JSON list of SPEC strings, replacing the rules).

)") + std::string(kFaultHelp);
}

std::optional<Config> parse_command_line(int argc, char** argv) {
  Config config;
  ServerOptions& server = config.server;
  if (const char* token = std::getenv("DBFS_EMULATOR_TOKEN"); token && *token)
    server.auth.token = token;
  bool no_auth = false, token_option = false;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view option = args[i];
    if (option == "--help" || option == "-h") return std::nullopt;
    if (option == "--no-auth") {
      no_auth = true;
      continue;
    }
    if (option == "--dbfs-root-disabled") {
      server.dbfs_root_disabled = true;
      continue;
    }
    if (i + 1 >= args.size()) fail("unknown option or missing value: " + std::string(option));
    std::string_view value = args[++i];
    if (option == "--root") {
      config.root = value;
    } else if (option == "--host") {
      server.host = value;
    } else if (option == "--port") {
      int64_t port = whole_number(option, value);
      if (port > 65535) fail("--port must be at most 65535");
      server.port = int(port);
    } else if (option == "--token") {
      server.auth.token = std::string(value);
      token_option = true;
    } else if (parse_credentials_option(option, value, server)) {
      // OAuth or TLS
    } else if (option == "--latency-ms") {
      server.latency_ms = int(whole_number(option, value));
    } else if (option == "--jitter-ms") {
      server.jitter_ms = int(whole_number(option, value));
    } else if (parse_guess_switch(option, value, config)) {
      // one of the switches for what the contracts leave open
    } else if (option == "--rate-limit") {
      server.rate_limit = non_negative<double>(option, value);
    } else if (option == "--fault") {
      server.faults.push_back(parse_fault(value));
    } else if (option == "--log-level") {
      config.log_level = value;
    } else {
      fail("unknown option: " + std::string(option));
    }
  }
  if (config.root.empty()) fail("--root DIR is required");
  if (no_auth && token_option) fail("--token and --no-auth exclude each other");
  server.auth.enabled = !no_auth;
  if (server.auth.enabled && !server.auth.token && !server.auth.client_id)
    fail("give --token TOKEN (or DBFS_EMULATOR_TOKEN), --oauth-client ID:SECRET, or --no-auth");
  if (server.cert_file.empty() != server.key_file.empty())
    fail("--cert and --key go together");
  return config;
}

}  // namespace emulator
