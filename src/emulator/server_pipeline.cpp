// Server: what every API request goes through around the operation itself.

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>
#include <thread>

#include "emulator/answers.h"
#include "emulator/connection_drop.h"
#include "emulator/hostile_answers.h"
#include "emulator/request_shape.h"
#include "emulator/server.h"

namespace emulator {
namespace {

uint64_t body_size(const httplib::Request& req) {
  if (req.has_header("Content-Length")) return req.get_header_value<uint64_t>("Content-Length");
  return req.body.size();
}

void sleep_ms(int ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

void Server::serve(const httplib::Request& req, httplib::Response& res, const std::string& op,
                   const Apply& apply, const std::function<void()>& skip_body) {
  auto operation = [&](httplib::Response& answer) -> uint64_t {
    try {
      answers::json(answer, 200, apply());
    } catch (const dbfs::ApiError& e) {
      answers::error(answer, e);
    }
    return 0;
  };
  serve(req, res, op, Operation(operation), skip_body);
}

void Server::serve(const httplib::Request& req, httplib::Response& res, const std::string& op,
                   const Operation& operation, const std::function<void()>& skip_body) {
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
        streamed = operation(res);
      } catch (const std::exception& e) {
        spdlog::error("{}: {}", op, e.what());
        answers::error(res, dbfs::ApiError::http(op, 500, "INTERNAL_ERROR", e.what()));
      }
      drop = fault && fault->kind == Kind::kLost;
      if (fault && !drop) streamed += reshape(req, res, op, *fault);
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
  // An answer to HEAD carries no body, whatever its headers say.
  uint64_t sent = req.method == "HEAD" ? 0 : res.body.size() + streamed;
  stats_.answered(res.status, body_size(req), sent);
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

}  // namespace emulator
