#include "emulator/server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>

#include <rapidjson/document.h>

#include "dbfs/base64.h"
#include "emulator/answers.h"
#include "emulator/connection_drop.h"
#include "emulator/endpoints.h"
#include "emulator/errors.h"
#include "emulator/hostile_answers.h"
#include "emulator/ops.h"

namespace emulator {
namespace {

// httplib 0.11.4 does not read the body of a GET, leaving it in the connection to be misread as
// the next request. The pre-routing hook turns such a GET into a POST, so that httplib reads
// the body, and notes here (same thread, same request) that the client sent a GET.
thread_local bool t_get_with_body = false;

std::string method_of(const httplib::Request& req) {
  return t_get_with_body ? std::string("GET") : req.method;
}

// httplib listens with a backlog of 5, too short for a burst of parallel clients; listening
// again on the bound socket widens it.
template <class Base>
class WideListener : public Base {
 public:
  using Base::Base;
  void widen_backlog() { ::listen(this->svr_sock_, 1024); }
};

uint64_t body_size(const httplib::Request& req) {
  if (req.has_header("Content-Length")) return req.get_header_value<uint64_t>("Content-Length");
  return req.body.size();
}

dbfs::ApiError endpoint_not_found(const std::string& method, const std::string& op) {
  return dbfs::ApiError::http(op, 404, "ENDPOINT_NOT_FOUND",
                              "No API found for '" + method + " /dbfs/" + op + "'");
}

// Consumes a streamed request body that will not be used.
void drain(const httplib::Request& req, const httplib::ContentReader& reader) {
  auto ignore = [](const char*, size_t) { return true; };
  if (req.is_multipart_form_data()) {
    reader([](const httplib::MultipartFormData&) { return true; }, ignore);
  } else {
    reader(ignore);
  }
}

// The fields of an API request besides its JSON body: POST parameters are the body's alone; a
// GET's query string wins over its body.
const RequestParams::Fields& query_of(const httplib::Request& req) {
  static const RequestParams::Fields kNoFields;
  return method_of(req) == "GET" ? req.params : kNoFields;
}

void sleep_ms(int ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

constexpr size_t kMaxFormField = 64 * 1024;

}  // namespace

Server::Server(Store& store, ServerOptions options)
    : store_(store),
      options_(std::move(options)),
      auth_(options_.auth),
      rate_limiter_(options_.rate_limit) {
  faults_.set(options_.faults);
  if (!options_.cert_file.empty()) {
    auto tls = std::make_unique<WideListener<httplib::SSLServer>>(options_.cert_file.c_str(),
                                                                  options_.key_file.c_str());
    if (!tls->is_valid()) {
      throw std::runtime_error("cannot use TLS certificate " + options_.cert_file + " and key " +
                               options_.key_file);
    }
    widen_backlog_ = [server = tls.get()] { server->widen_backlog(); };
    http_ = std::move(tls);
  } else {
    auto plain = std::make_unique<WideListener<httplib::Server>>();
    widen_backlog_ = [server = plain.get()] { server->widen_backlog(); };
    http_ = std::move(plain);
  }
  // One thread per connection in httplib: room for many parallel clients with keep-alive.
  http_->new_task_queue = [] { return new httplib::ThreadPool(128); };
  http_->set_keep_alive_max_count(1000000);
  http_->set_keep_alive_timeout(10);
  http_->set_read_timeout(60);
  http_->set_write_timeout(60);
  http_->set_tcp_nodelay(true);
  // httplib's default adds SO_REUSEPORT, which would let a second emulator share a busy port.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  route();
}

Server::~Server() = default;

std::string Server::bind() {
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
  } else if (!http_->bind_to_port(options_.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    throw std::runtime_error("cannot listen on " + options_.host + ":" +
                             std::to_string(options_.port));
  }
  widen_backlog_();
  std::string scheme = options_.cert_file.empty() ? "http" : "https";
  bool ipv6 = options_.host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + options_.host + "]" : options_.host;
  return scheme + "://" + host + ":" + std::to_string(port);
}

void Server::run() { http_->listen_after_bind(); }

void Server::stop() {
  stopping_->store(true);
  http_->stop();
}

void Server::route() {
  http_->set_pre_routing_handler([](const httplib::Request& request, httplib::Response&) {
    // httplib hands hooks a const Request although it owns a mutable one; adjusting it here,
    // before it reads the body, is the only way to shape how it reads it.
    auto& req = const_cast<httplib::Request&>(request);
    // Compressing megabytes of base64 would make the emulator a benchmark's bottleneck.
    req.headers.erase("Accept-Encoding");
    t_get_with_body = false;
    if (!req.path.starts_with("/api/")) return httplib::Server::HandlerResponse::Unhandled;
    // API bodies are JSON whatever the Content-Type says; httplib would parse a form body.
    if (!req.is_multipart_form_data()) req.headers.erase("Content-Type");
    if (req.method == "GET" &&
        (req.get_header_value<uint64_t>("Content-Length") > 0 || req.has_header("Transfer-Encoding"))) {
      req.method = "POST";
      t_get_with_body = true;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("{} {} -> {}", req.method, req.path, res.status);
  });

  auto api = [this](const httplib::Request& req, httplib::Response& res) { this->api(req, res); };
  http_->Post(R"(/api/2\.0/dbfs/put)",
              [this](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) { streamed_put(req, res, reader); });
  http_->Get(R"(/api/2\.0/dbfs/([^/]+))", api);
  http_->Post(R"(/api/2\.0/dbfs/([^/]+))", api);

  http_->Get("/emulator/v1/stats", [this](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) answers::json(res, 200, stats_.json());
  });
  http_->Post("/emulator/v1/reset", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    stats_.reset();
    answers::json(res, 200, "{}");
  });
  http_->Post("/emulator/v1/faults", [this](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) set_faults(req, res);
  });

  if (auth_.oauth_enabled()) {
    http_->Get("/oidc/.well-known/oauth-authorization-server",
               [this](const httplib::Request& req, httplib::Response& res) {
                 oauth_metadata(req, res);
               });
    http_->Post("/oidc/v1/token", [this](const httplib::Request& req, httplib::Response& res) {
      oauth_token(req, res);
    });
  }

  auto unknown = [](const httplib::Request& req, httplib::Response& res) {
    answers::json(res, 404,
                  R"({"error_code":"ENDPOINT_NOT_FOUND","message":"No API found for ')" +
                      method_of(req) + " " + req.path + R"('"})");
  };
  http_->Get(".*", unknown);
  http_->Post(".*", unknown);
}

void Server::api(const httplib::Request& req, httplib::Response& res) {
  std::string op = req.matches[1];
  std::string method = method_of(req);
  serve(
      req, res, op,
      [&] {
        const Op* known = find_op(op);
        if (!known || known->method != method) throw endpoint_not_found(method, op);
        return run_endpoint(store_, op, RequestParams(op, query_of(req), req.body));
      },
      [] {});
}

void Server::streamed_put(const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
  auto skip_body = [&] { drain(req, reader); };
  serve(
      req, res, "put",
      [&] {
        if (method_of(req) != "POST") {
          skip_body();
          throw endpoint_not_found(method_of(req), "put");
        }
        if (req.is_multipart_form_data()) return multipart_put(reader);
        std::string body;
        reader([&](const char* data, size_t n) {
          body.append(data, n);
          return true;
        });
        return run_endpoint(store_, "put", RequestParams("put", {}, body));
      },
      skip_body);
}

// The file part ("contents" in the docs, "file" from the legacy CLI) streams to a staged file,
// whatever its size; the small fields (path, overwrite) may come before or after it.
std::string Server::multipart_put(const httplib::ContentReader& reader) {
  StagedFile file = store_.stage_upload();
  RequestParams::Fields fields;
  std::string* field = nullptr;
  int write_error = 0;
  bool complete = reader(
      [&](const httplib::MultipartFormData& part) {
        bool is_file = part.name == "contents" || part.name == "file";
        field = is_file ? nullptr : &fields.emplace(part.name, "")->second;
        return true;
      },
      [&](const char* data, size_t n) {
        if (!field) {
          if (file.append({data, n})) return true;
          write_error = errno;
          return false;
        }
        field->append(data, n);
        return field->size() <= kMaxFormField;
      });
  if (write_error) throw errors::io_error("put", "upload", write_error);
  if (!complete) throw errors::invalid("put", "Malformed multipart body");
  RequestParams params("put", fields, "");
  store_.put_staged(std::string(params.required_text("path")), file,
                    params.boolean("overwrite", false));
  return "{}";
}

void Server::serve(const httplib::Request& req, httplib::Response& res, const std::string& op,
                   const Apply& apply, const std::function<void()>& skip_body) {
  stats_.request(op);
  bool drop = false;
  uint64_t streamed = 0;  // body bytes a content provider sends after this returns
  auto verdict = auth_.check(req.get_header_value("Authorization"));
  if (verdict != Authenticator::Verdict::kAllowed) {
    skip_body();
    answers::auth_failure(res, verdict);
  } else if (!rate_limiter_.admit()) {
    skip_body();
    answers::error(res, dbfs::ApiError::http(op, 429, "REQUEST_LIMIT_EXCEEDED",
                                             "Too many requests. Please wait and retry."));
    res.set_header("Retry-After", "1");
  } else {
    using Kind = FaultEffect::Kind;
    std::optional<FaultEffect> fault = faults_.decide(op);
    if (fault && fault->kind == Kind::kDelay) sleep_ms(fault->delay_ms);
    if (fault && fault->kind == Kind::kReset) {
      drop = true;
    } else if (fault && !applies_operation(fault->kind)) {
      skip_body();
      streamed = answer_instead(req, res, op, *fault);
    } else {
      try {
        answers::json(res, 200, apply());
      } catch (const dbfs::ApiError& e) {
        answers::error(res, e);
      } catch (const std::exception& e) {
        spdlog::error("{}: {}", op, e.what());
        answers::error(res, dbfs::ApiError::http(op, 500, "INTERNAL_ERROR", e.what()));
      }
      drop = fault && fault->kind == Kind::kLost;
      if (fault && !drop) streamed = reshape(req, res, op, *fault);
    }
  }
  if (options_.latency_ms > 0 || options_.jitter_ms > 0) {
    thread_local std::minstd_rand random(std::random_device{}());
    int jitter = options_.jitter_ms > 0
                     ? std::uniform_int_distribution<int>(0, options_.jitter_ms)(random)
                     : 0;
    sleep_ms(options_.latency_ms + jitter);
  }
  if (drop) {
    // Counted before the drop: the client sees the connection go at once and may ask for the
    // stats before this thread runs again.
    stats_.answered(0, body_size(req), 0);
    if (drop_connection(req)) return;
    spdlog::error("{}: could not find the connection to drop; answering instead (stats count a reset)",
                  op);
    return;
  }
  stats_.answered(res.status, body_size(req), res.body.size() + streamed);
}

uint64_t Server::answer_instead(const httplib::Request& req, httplib::Response& res,
                                const std::string& op, const FaultEffect& fault) {
  using Kind = FaultEffect::Kind;
  switch (fault.kind) {
    case Kind::kOversize:
    case Kind::kOversizeChunked:
      return hostile::oversize(res, op, fault.amount, fault.kind == Kind::kOversizeChunked,
                               stopping_);
    case Kind::kEchoAuth:
      hostile::echo_auth(res, op, req.get_header_value("Authorization"));
      return 0;
    default:
      answers::fault(res, fault);
      return 0;
  }
}

uint64_t Server::reshape(const httplib::Request& req, httplib::Response& res,
                         const std::string& op, const FaultEffect& fault) {
  using Kind = FaultEffect::Kind;
  if (fault.kind == Kind::kTrickle) return hostile::trickle(res, fault.amount, stopping_);
  // The others change a successful read or list only.
  if (res.status != 200) return 0;
  if (op == "read" && fault.kind == Kind::kShort) hostile::shorten_read(res.body);
  if (op == "read" && fault.kind == Kind::kLong) hostile::lengthen_read(res.body, fault.amount);
  if (op != "list" || (fault.kind != Kind::kHostile && fault.kind != Kind::kEntries)) return 0;
  std::optional<std::string> dir = listed_directory(req);
  if (!dir) return 0;
  if (fault.kind == Kind::kHostile) {
    hostile::add_hostile_entries(res.body, *dir);
    return 0;
  }
  return hostile::synthetic_listing(res, *dir, fault.amount, stopping_);
}

std::optional<std::string> Server::listed_directory(const httplib::Request& req) {
  try {
    RequestParams params("list", query_of(req), req.body);
    dbfs::FileInfo info = store_.get_status(std::string(params.required_text("path")));
    if (info.is_dir) return info.path;
  } catch (const dbfs::ApiError&) {
    // gone since it was listed: the listing stands as it is
  }
  return std::nullopt;
}

bool Server::authorized(const httplib::Request& req, httplib::Response& res) {
  auto verdict = auth_.check(req.get_header_value("Authorization"));
  if (verdict == Authenticator::Verdict::kAllowed) return true;
  answers::auth_failure(res, verdict);
  return false;
}

void Server::set_faults(const httplib::Request& req, httplib::Response& res) {
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
