// Server: the endpoints that steer the emulator (/emulator/v1/...), behind the API's own auth.

#include <rapidjson/document.h>

#include <stdexcept>

#include "emulator/answers.h"
#include "emulator/errors.h"
#include "emulator/server.h"

namespace emulator {

bool Server::authorized(const httplib::Request& req, httplib::Response& res) {
  auto verdict = auth_.check(req.get_header_value("Authorization"));
  if (verdict == Authenticator::Verdict::kAllowed) return true;
  answers::auth_failure(res, verdict);
  return false;
}

void Server::get_stats(const httplib::Request& req, httplib::Response& res) {
  if (authorized(req, res)) answers::json(res, 200, stats_.json());
}

void Server::reset_stats(const httplib::Request& req, httplib::Response& res) {
  if (!authorized(req, res)) return;
  stats_.reset();
  answers::json(res, 200, "{}");
}

void Server::set_faults(const httplib::Request& req, httplib::Response& res) {
  if (!authorized(req, res)) return;
  rapidjson::Document list;
  list.Parse(req.body.data(), req.body.size());
  std::vector<FaultRule> rules;
  try {
    if (list.HasParseError() || !list.IsArray())
      throw std::invalid_argument("expected a JSON list of fault rules");
    for (const auto& spec : list.GetArray()) {
      if (!spec.IsString()) throw std::invalid_argument("fault rules are strings");
      rules.push_back(parse_fault({spec.GetString(), spec.GetStringLength()}));
    }
  } catch (const std::invalid_argument& e) {
    answers::error(res, errors::invalid("faults", e.what()));
    return;
  }
  faults_.set(std::move(rules));
  answers::json(res, 200, "{}");
}

}  // namespace emulator
