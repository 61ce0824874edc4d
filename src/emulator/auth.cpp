#include "emulator/auth.h"

#include <cstdio>

namespace emulator {

Authenticator::Authenticator(AuthOptions options)
    : options_(std::move(options)), random_(std::random_device{}()) {}

Authenticator::Verdict Authenticator::check(std::string_view header) {
  if (!options_.enabled) return Verdict::kAllowed;
  constexpr std::string_view kScheme = "Bearer ";
  if (!header.starts_with(kScheme)) return Verdict::kMissing;
  std::string_view token = header.substr(kScheme.size());
  if (token.empty()) return Verdict::kMissing;
  if (options_.token && token == *options_.token) return Verdict::kAllowed;
  threads::MutexLock lock(mu_);
  auto it = issued_.find(token);
  if (it == issued_.end()) return Verdict::kInvalid;
  if (Clock::now() >= it->second) {
    issued_.erase(it);
    return Verdict::kInvalid;
  }
  return Verdict::kAllowed;
}

std::optional<std::string> Authenticator::issue(std::string_view client_id,
                                                std::string_view client_secret) {
  if (!oauth_enabled() || client_id != *options_.client_id ||
      client_secret != *options_.client_secret) {
    return std::nullopt;
  }
  threads::MutexLock lock(mu_);
  auto now = Clock::now();
  std::erase_if(issued_, [&](const auto& item) { return now >= item.second; });
  char token[40];
  std::snprintf(token, sizeof token, "eyemu%016llx%016llx",
                static_cast<unsigned long long>(random_()),
                static_cast<unsigned long long>(random_()));
  issued_.emplace(token, now + options_.oauth_token_ttl);
  return token;
}

}  // namespace emulator
