// Server: the listening socket, the connection threads, and which handler serves which path.

#include "emulator/server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <stdexcept>

#include "emulator/answers.h"
#include "emulator/request_shape.h"

namespace emulator {
namespace {

// httplib listens with a backlog of 5, too short for a burst of parallel clients; listening
// again on the bound socket widens it.
template <class Base>
class WideListener : public Base {
 public:
  using Base::Base;
  void widen_backlog() { ::listen(this->svr_sock_, 1024); }
};

}  // namespace

Server::Server(Store& store, ServerOptions options)
    : store_(store),
      options_(std::move(options)),
      volumes_(store_, options_.volumes),
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
  http_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    return shape_request(req);
  });
  // httplib gives every bodiless answer "Content-Length: 0", which RFC 9110 forbids on a 204.
  http_->set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 204) res.headers.erase("Content-Length");
  });
  http_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("{} {} -> {}", req.method, req.path, res.status);
  });
  using Handler = void (Server::*)(const httplib::Request&, httplib::Response&);
  auto bound = [this](Handler handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      (this->*handler)(req, res);
    };
  };

  http_->Post(R"(/api/2\.0/dbfs/put)",
              [this](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) { streamed_put(req, res, reader); });
  http_->Get(R"(/api/2\.0/dbfs/([^/]+))", bound(&Server::api));
  http_->Post(R"(/api/2\.0/dbfs/([^/]+))", bound(&Server::api));

  route_files_api();

  http_->Get("/emulator/v1/stats", bound(&Server::get_stats));
  http_->Post("/emulator/v1/reset", bound(&Server::reset_stats));
  http_->Post("/emulator/v1/faults", bound(&Server::set_faults));

  if (auth_.oauth_enabled()) {
    http_->Get("/oidc/.well-known/oauth-authorization-server", bound(&Server::oauth_metadata));
    http_->Post("/oidc/v1/token", bound(&Server::oauth_token));
  }

  auto unknown = [](const httplib::Request& req, httplib::Response& res) {
    answers::json(res, 404,
                  R"({"error_code":"ENDPOINT_NOT_FOUND","message":"No API found for ')" +
                      method_of(req) + " " + req.path + R"('"})");
  };
  http_->Get(".*", unknown);
  http_->Post(".*", unknown);
  http_->Put(".*", unknown);
  http_->Delete(".*", unknown);
}

}  // namespace emulator
