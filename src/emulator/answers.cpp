#include "emulator/answers.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace emulator::answers {
namespace {

const char* reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

std::string error_body(const std::string& code, const std::string& message) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("error_code");
  w.String(code.data(), rapidjson::SizeType(code.size()));
  w.Key("message");
  w.String(message.data(), rapidjson::SizeType(message.size()));
  w.EndObject();
  return out.GetString();
}

}  // namespace

void json(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.body = std::move(body);
  res.set_header("Content-Type", "application/json");
}

void error(httplib::Response& res, const dbfs::ApiError& e) {
  json(res, e.http_status(), error_body(e.error_code(), e.message()));
}

void auth_failure(httplib::Response& res, Authenticator::Verdict verdict) {
  if (verdict == Authenticator::Verdict::kMissing) {
    json(res, 401,
         R"({"error_code":401,"message":"Credential was not sent or was of an unsupported type for this API."})");
  } else {
    json(res, 403, R"({"error_code":403,"message":"Invalid access token."})");
  }
}

void fault(httplib::Response& res, const FaultEffect& effect) {
  using Kind = FaultEffect::Kind;
  std::string title = std::to_string(effect.status) + " " + reason(effect.status);
  res.status = effect.status;
  if (effect.kind == Kind::kHtml) {
    res.set_content("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
                        title + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                    "text/html");
  } else if (effect.kind == Kind::kText) {
    res.set_content("upstream connect error or disconnect/reset before headers. reset reason: " +
                        title,
                    "text/plain");
  } else if (!effect.error_code.empty()) {
    json(res, effect.status,
         error_body(effect.error_code, "Injected fault: " + title));
  }
  if (effect.retry_after_s >= 0) res.set_header("Retry-After", std::to_string(effect.retry_after_s));
}

}  // namespace emulator::answers
