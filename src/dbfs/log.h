#pragma once

#include <spdlog/common.h>

#include <optional>
#include <string>
#include <string_view>

namespace dbfs {

struct LogOptions {
  spdlog::level::level_enum level = spdlog::level::info;
  std::string file;  // empty: stderr
  bool syslog = false;  // to syslog/the journal instead (a daemon has no stderr)
};

// Makes the default spdlog logger write to stderr (or `file`) through a sink that masks every
// registered secret, so a token cannot reach a log line whatever the message. At debug level
// HttpApi logs each API call once: op, path, status, latency, bytes, retries.
void setup_logging(const LogOptions& options);

// "trace", "debug", "info", "warn", "error", "critical", "off"; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// From now on, `secret` (a token, a client secret) is masked wherever it would be logged or
// quoted: plain, URL-encoded, or inside base64 text. Too short a value would mask innocent text
// and is ignored.
void register_secret(const std::string& secret);

// `text` with registered secrets in any of those forms, and the credential after any "Bearer "
// or "Basic " (also URL-encoded), masked.
std::string redact(std::string_view text);

}  // namespace dbfs
