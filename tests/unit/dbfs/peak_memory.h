#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace dbfs::testing {

// A field of /proc/self/status ("VmHWM", "VmRSS") in KiB; -1 if absent.
inline int64_t status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(field + ":")) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

// How much more memory was resident at the peak while `run` ran than before it, in KiB.
// A sanitizer's shadow memory is part of it, so compare with what a known allocation costs in
// the same build rather than with bytes.
template <typename Run>
int64_t peak_growth_kib(Run&& run) {
  std::ofstream("/proc/self/clear_refs") << "5";  // VmHWM starts again from VmRSS
  int64_t before = status_kib("VmRSS");
  run();
  return status_kib("VmHWM") - before;
}

}  // namespace dbfs::testing
