#pragma once

#include <optional>
#include <string>

#include "emulator/server.h"
#include "emulator/store.h"

namespace emulator {

struct Config {
  std::string root;
  std::string log_level = "info";
  StoreOptions store;
  ServerOptions server;
};

std::string usage();

// The command line of dbfs-emulator (see usage()), plus DBFS_EMULATOR_TOKEN from the environment
// so that tests can keep the token out of argv. nullopt for --help; std::invalid_argument with a
// message for anything wrong.
std::optional<Config> parse_command_line(int argc, char** argv);

}  // namespace emulator
