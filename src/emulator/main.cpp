// dbfs-emulator: a Databricks DBFS API 2.0 server over a local folder, for tests and benchmarks.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>

#include "emulator/command_line.h"
#include "emulator/server.h"
#include "emulator/store.h"

namespace {

// SIGINT and SIGTERM are taken by one thread (sigwait), blocked everywhere else; SIGPIPE is
// ignored so that a client hanging up mid-answer costs nothing but that answer.
sigset_t block_signals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return stop_signals;
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t stop_signals = block_signals();
  std::optional<emulator::Config> config;
  try {
    config = emulator::parse_command_line(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "dbfs-emulator: " << e.what() << "\nTry dbfs-emulator --help.\n";
    return 2;
  }
  if (!config) {
    std::cout << emulator::usage();
    return 0;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("dbfs-emulator"));
  auto level = spdlog::level::from_str(config->log_level);
  if (level == spdlog::level::off && config->log_level != "off") {
    std::cerr << "dbfs-emulator: unknown --log-level " << config->log_level << "\n";
    return 2;
  }
  spdlog::set_level(level);

  try {
    emulator::Store store(config->root, config->store);
    emulator::Server server(store, config->server);
    std::string url = server.bind();
    std::printf("dbfs-emulator listening on %s\n", url.c_str());
    std::fflush(stdout);
    spdlog::info("serving {} on {}", config->root, url);

    auto serving = std::async(std::launch::async, [&] { server.run(); });
    const timespec poll{0, 100'000'000};
    while (serving.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      int signal_number = sigtimedwait(&stop_signals, nullptr, &poll);
      if (signal_number <= 0) continue;
      spdlog::info("signal {}: stopping", signal_number);
      server.stop();
      // httplib lets idle keep-alive connections run out their timeout before it returns;
      // everything written is on disk already, so after a grace period it need not be waited for.
      // The logger stays: a connection thread may still be logging, and spdlog::shutdown()
      // would free the logger under it.
      if (serving.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
        spdlog::info("stopped");
        spdlog::default_logger()->flush();
        std::fflush(stdout);
        std::_Exit(0);
      }
    }
    spdlog::info("stopped");
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
