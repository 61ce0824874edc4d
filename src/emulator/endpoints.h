#pragma once

#include <string>
#include <string_view>

#include "emulator/request_params.h"
#include "emulator/store.h"

namespace emulator {

// One DBFS endpoint (docs/dbfs-api.md) run against the Store: the request's parameters in,
// the JSON body of the 200 answer out. Failures throw dbfs::ApiError.
std::string run_endpoint(Store& store, std::string_view op, const RequestParams& params);

}  // namespace emulator
