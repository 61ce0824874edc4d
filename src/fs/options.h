#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "fs/metadata_cache.h"

namespace fs {

// Everything the filesystem core can be told; the FUSE layer fills it from the command line.
struct FsOptions {
  std::string remote_root = "/";  // the DBFS directory shown at the mount point
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t umask = 022;
  bool read_only = false;

  MetadataCache::Ttls ttls;
  size_t block_cache_bytes = 256u << 20;
  int64_t readahead_max_blocks = 16;
  size_t readahead_threads = 8;

  std::string cache_dir;  // staging files of files being written, and the upload journal
  std::string workspace;  // names the workspace in the upload journal
  size_t staging_memory_bytes = 8u << 20;  // per file, before it spills to cache_dir
  size_t staging_total_memory_bytes = 128u << 20;  // all files together, likewise
  int upload_attempts = 5;  // uploads restarted from create after failures no probe settles
};

}  // namespace fs
