// Server: the OAuth M2M endpoints a client discovers and gets its tokens from (/oidc/...).

#include "dbfs/base64.h"
#include "emulator/answers.h"
#include "emulator/server.h"

namespace emulator {

void Server::oauth_metadata(const httplib::Request& req, httplib::Response& res) {
  std::string base = (options_.cert_file.empty() ? "http://" : "https://") +
                     req.get_header_value("Host");
  answers::json(res, 200,
                R"({"issuer":")" + base + R"(/oidc","authorization_endpoint":")" + base +
                    R"(/oidc/v1/authorize","token_endpoint":")" + base +
                    R"(/oidc/v1/token","grant_types_supported":["client_credentials"],)"
                    R"("token_endpoint_auth_methods_supported":["client_secret_basic",)"
                    R"("client_secret_post"],"response_types_supported":["code"],)"
                    R"("scopes_supported":["all-apis"]})");
}

// client_credentials with HTTP Basic (or, as some clients do, the credentials in the form).
void Server::oauth_token(const httplib::Request& req, httplib::Response& res) {
  if (req.get_param_value("grant_type") != "client_credentials") {
    answers::json(res, 400, R"({"error":"unsupported_grant_type"})");
    return;
  }
  std::string id = req.get_param_value("client_id");
  std::string secret = req.get_param_value("client_secret");
  std::string header = req.get_header_value("Authorization");
  std::string decoded;
  if (header.starts_with("Basic ") && dbfs::base64::decode(header.substr(6), decoded)) {
    size_t colon = decoded.find(':');
    id = decoded.substr(0, colon);
    secret = colon == std::string::npos ? "" : decoded.substr(colon + 1);
  }
  auto token = auth_.issue(id, secret);
  if (!token) {
    answers::json(res, 401,
                  R"({"error":"invalid_client","error_description":"Client authentication failed"})");
    return;
  }
  answers::json(res, 200,
                R"({"access_token":")" + *token + R"(","token_type":"Bearer","expires_in":)" +
                    std::to_string(auth_.token_ttl().count()) + R"(,"scope":"all-apis"})");
}

}  // namespace emulator
