#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "common/thread_annotations.h"

namespace emulator {

struct AuthOptions {
  bool enabled = true;                // false: --no-auth
  std::optional<std::string> token;   // --token / DBFS_EMULATOR_TOKEN
  std::optional<std::string> client_id, client_secret;  // --oauth-client ID:SECRET
  std::chrono::seconds oauth_token_ttl{3600};
};

// Who may call the API: the static token, and tokens issued by the OAuth M2M token endpoint
// until they expire. Thread-safe.
class Authenticator {
 public:
  enum class Verdict {
    kAllowed,
    kMissing,  // no Bearer credential: 401
    kInvalid,  // a Bearer token we do not know, or one that expired: 403
  };

  explicit Authenticator(AuthOptions options);

  Verdict check(std::string_view authorization_header) EXCLUDES(mu_);
  bool oauth_enabled() const { return options_.client_id.has_value(); }
  std::chrono::seconds token_ttl() const { return options_.oauth_token_ttl; }
  // client_credentials grant: a new access token when the client's id and secret match.
  std::optional<std::string> issue(std::string_view client_id, std::string_view client_secret)
      EXCLUDES(mu_);

 private:
  using Clock = std::chrono::steady_clock;
  const AuthOptions options_;

  // The OAuth tokens handed out, and the source of new ones.
  threads::Mutex mu_;
  std::map<std::string, Clock::time_point, std::less<>> issued_ GUARDED_BY(mu_);  // -> expiry
  std::mt19937_64 random_ GUARDED_BY(mu_);
};

}  // namespace emulator
