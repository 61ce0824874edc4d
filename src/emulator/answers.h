#pragma once

#include <httplib.h>

#include <string>

#include "dbfs/api_error.h"
#include "emulator/auth.h"
#include "emulator/faults.h"

// The bodies the emulator answers with, shaped like a real workspace's.
namespace emulator::answers {

// A JSON body, moved into the answer (read answers are megabytes: no copy).
void json(httplib::Response& res, int status, std::string body);
// {"error_code":"CODE","message":"..."} with the error's HTTP status.
void error(httplib::Response& res, const dbfs::ApiError& e);
// 401 or 403 with the numeric error codes real workspaces send for bad credentials.
void auth_failure(httplib::Response& res, Authenticator::Verdict verdict);
// The answer of a status, html or text fault.
void fault(httplib::Response& res, const FaultEffect& effect);

}  // namespace emulator::answers
