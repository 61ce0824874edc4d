#include "dbfs/token_provider.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "dbfs/base64.h"
#include "dbfs/json_codec.h"
#include "dbfs/log.h"
#include "dbfs/request_limits.h"
#include "dbfs/url.h"

namespace dbfs {
namespace {

constexpr std::string_view kOp = "oauth-token";

// `inactivity`: the http_timeout, from which each attempt's deadline is reckoned.
HttpResponse fetch(Transport& transport, const RetryPolicy& retry, HttpRequest request,
                   std::chrono::milliseconds inactivity) {
  HttpResponse response;
  int retries = 0;
  auto deadline = limits::request_deadline(inactivity, request.body.size(), request.max_answer);
  retry.run(RetrySafety::kIdempotent, [&](const Attempt& attempt) {
    request.timeout = limits::attempt_timeout(
        deadline, std::chrono::duration_cast<std::chrono::milliseconds>(
                      attempt.budget_end - std::chrono::steady_clock::now()));
    response = transport.perform(request);
    if (response.status < 200 || response.status >= 300) {
      ApiError error = json::parse_error(kOp, response.status, response.body);
      error.set_retry_after(response.retry_after);
      throw error;
    }
  }, retries);
  return response;
}

}  // namespace

StaticToken::StaticToken(std::string token) : header_("Bearer " + token) {
  register_secret(token);
}

OAuthM2M::OAuthM2M(std::string host, std::string client_id, std::string client_secret,
                   TransportOptions transport, RetryOptions retry, Now now)
    : host_(std::move(host)),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)),
      inactivity_timeout_(transport.inactivity_timeout),
      transport_(std::move(transport)),
      retry_(retry),
      now_(std::move(now)) {
  register_secret(client_secret_);
}

std::string OAuthM2M::authorization() {
  threads::MutexLock lock(mutex_);
  if (header_.empty() || now_() >= refresh_at_) refresh();
  return header_;
}

void OAuthM2M::refresh() {
  if (token_endpoint_.empty()) {
    HttpRequest discovery{kOp, HttpMethod::kGet, host_ + "/oidc/.well-known/oauth-authorization-server"};
    token_endpoint_ =
        json::parse_token_endpoint(kOp, fetch(transport_, retry_, discovery, inactivity_timeout_).body);
  }
  std::string form = url::encode_pairs({{"grant_type", "client_credentials"}, {"scope", "all-apis"}});
  HttpRequest request{kOp, HttpMethod::kPost, token_endpoint_, form,
                      "application/x-www-form-urlencoded",
                      "Basic " + base64::encode(client_id_ + ":" + client_secret_)};
  json::OAuthToken token =
      json::parse_oauth_token(kOp, fetch(transport_, retry_, request, inactivity_timeout_).body);
  register_secret(token.access_token);
  header_ = token.token_type + " " + token.access_token;
  // Renew when a minute (or, for short-lived tokens, a quarter of the lifetime) is left, so no
  // request goes out with a token about to expire.
  auto lifetime = std::chrono::seconds(std::max<int64_t>(token.expires_in, 0));
  auto margin = std::min<std::chrono::seconds>(std::chrono::seconds(60), lifetime / 4);
  refresh_at_ = now_() + lifetime - margin;
  spdlog::debug("oauth: obtained a {} token valid for {} s", token.token_type, lifetime.count());
}

}  // namespace dbfs
