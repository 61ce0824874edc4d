#pragma once

#include <gtest/gtest.h>

#include "dbfs/api_error.h"

namespace dbfs::testing {

// The ApiError `f` throws; fails the test if it throws none.
template <typename F>
ApiError error_of(F&& f) {
  try {
    f();
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "no ApiError thrown";
  return ApiError::protocol("", 0, "");
}

}  // namespace dbfs::testing
