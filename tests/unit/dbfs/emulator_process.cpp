#include "emulator_process.h"

#include <fcntl.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "dbfs/transport.h"

namespace dbfs::testing {
namespace {

constexpr std::string_view kBanner = "listening on ";

}  // namespace

std::string EmulatorProcess::executable() {
  if (const char* path = std::getenv("DBFS_EMULATOR"); path && *path) return path;
  return std::filesystem::exists(DBFS_EMULATOR_PATH) ? DBFS_EMULATOR_PATH : "";
}

EmulatorProcess::EmulatorProcess(const std::vector<std::string>& args) {
  char pattern[] = "/tmp/dbfs-emulator-test-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  root_ = pattern;

  std::vector<std::string> argv = {executable(), "--root", root_.string(), "--port", "0",
                                   "--token", kToken, "--log-level", "warn"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (std::string& arg : argv) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    // A test that dies (a sanitizer abort, a crash) must not leave its emulator running.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(pipe_fds[1], STDOUT_FILENO);
    execv(c_argv[0], c_argv.data());
    _exit(127);
  }
  ::close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];

  // Read until the banner line, for at most 15 s (a loaded machine starts slowly).
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  auto banner_complete = [&output] {
    size_t at = output.find(kBanner);
    return at != std::string::npos && output.find('\n', at) != std::string::npos;
  };
  while (!banner_complete()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{stdout_fd_, POLLIN, 0};
    char buffer[512];
    ssize_t n = 0;
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0 ||
        (n = ::read(stdout_fd_, buffer, sizeof buffer)) <= 0) {
      stop();
      throw std::runtime_error("dbfs-emulator did not start; it said: " + output);
    }
    output.append(buffer, static_cast<size_t>(n));
  }
  size_t start = output.find(kBanner) + kBanner.size();
  url_ = output.substr(start, output.find('\n', start) - start);
}

EmulatorProcess::~EmulatorProcess() { stop(); }

void EmulatorProcess::stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  std::error_code ignored;
  if (!root_.empty()) std::filesystem::remove_all(root_, ignored);
}

std::map<std::string, int64_t> EmulatorProcess::requests() const {
  Transport transport({});
  HttpRequest request{"stats", HttpMethod::kGet, url_ + "/emulator/v1/stats"};
  request.authorization = std::string("Bearer ") + kToken;
  HttpResponse response = transport.perform(request);
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  std::map<std::string, int64_t> counts;
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("requests")) {
    throw std::runtime_error("bad stats answer: " + response.body);
  }
  // By index: RapidJSON 1.1.0's member iterators compare ambiguously under C++20 (clang warns).
  const rapidjson::Value& requests = doc["requests"];
  for (rapidjson::SizeType i = 0; i < requests.MemberCount(); ++i) {
    const auto& member = *(requests.MemberBegin() + i);
    counts[member.name.GetString()] = member.value.GetInt64();
  }
  return counts;
}

void EmulatorProcess::set_faults(const std::vector<std::string>& rules) const {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  writer.StartArray();
  for (const std::string& rule : rules) writer.String(rule.c_str());
  writer.EndArray();
  Transport transport({});
  HttpRequest request{"faults", HttpMethod::kPost, url_ + "/emulator/v1/faults", text.GetString()};
  request.authorization = std::string("Bearer ") + kToken;
  HttpResponse response = transport.perform(request);
  if (response.status != 200) throw std::runtime_error("faults refused: " + response.body);
}

}  // namespace dbfs::testing
