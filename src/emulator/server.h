#pragma once

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/auth.h"
#include "emulator/faults.h"
#include "emulator/files_routes.h"
#include "emulator/rate_limiter.h"
#include "emulator/request_params.h"
#include "emulator/stats.h"
#include "emulator/store.h"
#include "emulator/volume_store.h"

namespace emulator {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string cert_file, key_file;  // both set: HTTPS
  AuthOptions auth;
  int latency_ms = 0;  // added to every API answer...
  int jitter_ms = 0;   // ...plus a uniform random 0..jitter_ms
  double rate_limit = 0;  // API requests per second; 0: unlimited
  std::vector<FaultRule> faults;
  files::VolumeOptions volumes;
  // Every DBFS API call answers 403, as in a workspace with the legacy DBFS root switched off
  // ([guess]); without it, only DBFS calls on /Volumes do.
  bool dbfs_root_disabled = false;
};

// The DBFS API 2.0 and the Files API 2.0 over HTTP(S) in front of a Store (cpp-httplib), with
// auth, the rate limit, fault injection, latency, stats, the control endpoints
// (/emulator/v1/...) and, when configured, the OAuth M2M endpoints (/oidc/...).
class Server {
 public:
  Server(Store& store, ServerOptions options);  // throws std::runtime_error for bad TLS files
  ~Server();

  // Binds and listens; returns the URL ("http://127.0.0.1:PORT"). Throws std::runtime_error.
  std::string bind();
  // Serves until stop() (from another thread).
  void run();
  void stop();

 private:
  // A DBFS operation: the JSON body of its 200 answer; failures throw dbfs::ApiError.
  using Apply = std::function<std::string()>;
  // Any operation: fills the answer and returns the body bytes a content provider will send
  // after the handler returns (0 when the body is in res.body), for the stats.
  using Operation = std::function<uint64_t(httplib::Response&)>;

  void route();
  void route_files_api();
  // The DBFS API endpoints (server_api.cpp).
  void api(const httplib::Request& req, httplib::Response& res);
  void streamed_put(const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader);
  std::string multipart_put(const httplib::ContentReader& reader);
  // 403 for a DBFS call on /Volumes, or on any path with dbfs_root_disabled.
  void check_dbfs_path(const std::string& op, const RequestParams& params) const;
  // The Files API endpoints (server_files.cpp); `body` is the streamed body of a PUT, else null.
  void files_api(const httplib::Request& req, httplib::Response& res, files::Family family,
                 const httplib::ContentReader* body);
  // Everything an API request goes through around the operation itself (server_pipeline.cpp):
  // stats, auth, the rate limit, faults, latency; then the answer, or a dropped connection.
  // `skip_body` consumes a body that is not used (a streamed put refused before reading it).
  void serve(const httplib::Request& req, httplib::Response& res, const std::string& op,
             const Operation& operation, const std::function<void()>& skip_body);
  void serve(const httplib::Request& req, httplib::Response& res, const std::string& op,
             const Apply& apply, const std::function<void()>& skip_body);
  // The answer of a fault that takes the operation's place. Both this and reshape() return the
  // bytes a content provider will send (res.body then stays empty), for the stats.
  uint64_t answer_instead(const httplib::Request& req, httplib::Response& res,
                          const std::string& op, const FaultEffect& fault);
  // The operation's answer as a fault that lets it run changes it (hostile_answers.h).
  uint64_t reshape(const httplib::Request& req, httplib::Response& res, const std::string& op,
                   const FaultEffect& fault);
  // The directory a list request names, as the store names it; nothing if it names a file.
  std::optional<std::string> listed_directory(const httplib::Request& req);
  // Control endpoints (server_control.cpp); `authorized` answers a caller it turns away.
  bool authorized(const httplib::Request& req, httplib::Response& res);
  void get_stats(const httplib::Request& req, httplib::Response& res);
  void reset_stats(const httplib::Request& req, httplib::Response& res);
  void set_faults(const httplib::Request& req, httplib::Response& res);
  // OAuth endpoints (server_oauth.cpp).
  void oauth_metadata(const httplib::Request& req, httplib::Response& res);
  void oauth_token(const httplib::Request& req, httplib::Response& res);

  Store& store_;
  const ServerOptions options_;
  files::VolumeStore volumes_;
  Authenticator auth_;
  RateLimiter rate_limiter_;
  FaultInjector faults_;
  Stats stats_;
  // Set by stop(): streamed answers (trickle, oversize, entries) end at once. Shared with their
  // content providers.
  std::shared_ptr<std::atomic<bool>> stopping_ = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<httplib::Server> http_;
  std::function<void()> widen_backlog_;
};

}  // namespace emulator
