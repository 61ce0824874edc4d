#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace dbfs::testing {

// A dbfs-emulator child process serving a fresh temporary folder on a free port. The destructor
// always stops and reaps it and removes the folder, whatever the test did.
class EmulatorProcess {
 public:
  static constexpr const char* kToken = "emulator-test-token-1234";

  // The binary: $DBFS_EMULATOR, else the one meson builds if it exists; empty when none.
  static std::string executable();

  // Starts it with `--root DIR --port 0 --token kToken` plus `args`; throws if it does not say
  // where it listens within a few seconds.
  explicit EmulatorProcess(const std::vector<std::string>& args = {});
  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;

  const std::string& url() const { return url_; }
  const std::filesystem::path& root() const { return root_; }
  // The emulator's per-op request counts (GET /emulator/v1/stats, "requests").
  std::map<std::string, int64_t> requests() const;
  // Replaces its fault rules (POST /emulator/v1/faults), e.g. {"read:always:short"}.
  void set_faults(const std::vector<std::string>& rules) const;

 private:
  void stop();

  std::filesystem::path root_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string url_;
};

}  // namespace dbfs::testing
