#pragma once

#include <httplib.h>

#include <string>

#include "emulator/request_params.h"

namespace emulator {

// httplib's pre-routing hook for every request: shapes an API request before httplib reads its
// body, so that the body is read the way the DBFS API means it.
httplib::Server::HandlerResponse shape_request(const httplib::Request& request);

// The method the client sent: shape_request may have turned a GET with a body into a POST.
std::string method_of(const httplib::Request& req);

// The fields of an API request besides its JSON body: POST parameters are the body's alone; a
// GET's query string wins over its body.
const RequestParams::Fields& query_of(const httplib::Request& req);

}  // namespace emulator
