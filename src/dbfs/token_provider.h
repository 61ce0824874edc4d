#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/thread_annotations.h"
#include "dbfs/retry.h"
#include "dbfs/transport.h"

namespace dbfs {

// Where the Authorization header of every request comes from. Thread-safe. The value is a secret:
// it must never reach a log line or an error message.
class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  // The Authorization header's value, e.g. "Bearer dapi...". Throws ApiError when no credential
  // can be had (for OAuth: the token endpoint refused or could not be reached).
  virtual std::string authorization() = 0;
};

// A personal access token (or any token fixed for the process's life).
class StaticToken : public TokenProvider {
 public:
  explicit StaticToken(std::string token);
  std::string authorization() override { return header_; }

 private:
  std::string header_;
};

// OAuth machine-to-machine (a service principal's client id and secret): discovers the token
// endpoint from {host}/oidc/.well-known/oauth-authorization-server, obtains a token with the
// client-credentials grant, and fetches a new one shortly before the current one expires.
class OAuthM2M : public TokenProvider {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  OAuthM2M(std::string host, std::string client_id, std::string client_secret,
           TransportOptions transport, RetryOptions retry, Now now = std::chrono::steady_clock::now);
  std::string authorization() override EXCLUDES(mutex_);

 private:
  void refresh() REQUIRES(mutex_);

  std::string host_;
  std::string client_id_;
  std::string client_secret_;
  std::chrono::milliseconds inactivity_timeout_;  // each request's deadline starts from it
  Transport transport_;
  RetryPolicy retry_;
  Now now_;

  // One refresh at a time: the threads that find the token expiring wait for it and share it.
  threads::Mutex mutex_;
  std::string token_endpoint_ GUARDED_BY(mutex_);
  std::string header_ GUARDED_BY(mutex_);
  std::chrono::steady_clock::time_point refresh_at_ GUARDED_BY(mutex_) = {};
};

}  // namespace dbfs
