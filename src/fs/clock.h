#pragma once

#include <chrono>
#include <functional>

namespace fs {

using Clock = std::chrono::steady_clock;
// Caches take the time from a function so that tests can move it by hand.
using NowFn = std::function<Clock::time_point()>;
inline NowFn system_now() { return [] { return Clock::now(); }; }

}  // namespace fs
