#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dbfs/auth.h"
#include "fs/options.h"

namespace fuse_adapter {

// Everything `dbfs-fuse [OPTIONS] dbfs:/[PATH] MOUNTPOINT` was told, whether as long flags
// (--cache-size 512) or as mount(8)-style `-o cache_size=512,ro` (what fstab and mount.fuse3
// pass).
struct MountOptions {
  std::string source;      // "dbfs:/mnt/data" as given
  std::string remote_root;  // normalised: "/mnt/data"
  std::string mountpoint;

  dbfs::ClientOptions client;
  fs::FsOptions fs;
  bool foreground = false;
  bool debug = false;  // libfuse's -d: foreground, FUSE requests traced
  bool allow_other = false;
  bool auto_unmount = false;
  std::string log_level = "info";
  bool help = false;
  bool version = false;

  // Options handed to libfuse as they are (fsname=..., auto_unmount, noatime, ...).
  std::vector<std::string> fuse_options;
};

struct ParseResult {
  std::optional<MountOptions> options;
  std::string error;  // one sentence, when options is empty
};

// Parses the command line; `uid`/`gid` default to the caller's.
ParseResult parse_mount_options(const std::vector<std::string>& args);

// The text of --help: every option with its default.
std::string usage();

}  // namespace fuse_adapter
