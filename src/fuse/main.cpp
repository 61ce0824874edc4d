// dbfs-fuse: mounts Databricks DBFS with libfuse3.
//
// Order matters: options and credentials are checked, and a get-status of the mounted path must
// succeed, before anything is mounted, so a mount that cannot work fails with one sentence and
// leaves nothing behind. The filesystem core (and its threads) starts in FUSE's init, after
// fuse_daemonize has forked.

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "dbfs/api_error.h"
#include "dbfs/auth.h"
#include "dbfs/http_api.h"
#include "dbfs/log.h"
#include "fs/dbfs_storage.h"
#include "fs/filesystem.h"
#include "fs/storage_router.h"
#include "fs/upload_journal.h"
#include "fuse/cache_dir.h"
#include "fuse/kernel_readahead.h"
#include "fuse/mount_options.h"
#include "fuse/operations.h"

namespace {

int fail(const std::string& sentence, int code = 1) {
  std::fprintf(stderr, "dbfs-fuse: %s\n", sentence.c_str());
  return code;
}

// One sentence for why the mounted path could not be reached.
std::string explain(const dbfs::ApiError& e, const fuse_adapter::MountOptions& o,
                    const std::string& host) {
  std::string what = "cannot mount " + o.source + ": ";
  switch (e.to_errno()) {
    case EACCES:
      return what + "the workspace " + host + " refused the credentials (" + e.what() + ")";
    case ENOENT:
      return what + "no such directory on DBFS";
    default:
      break;
  }
  if (e.kind() != dbfs::ApiError::Kind::kHttp) {
    return what + "cannot reach " + host + " (" + e.what() + ")";
  }
  return what + e.what();
}

// What init() needs to start the core once FUSE runs (after the fork).
struct Mount {
  fuse_adapter::MountOptions options;
  dbfs::HttpApiConfig api_config;
  std::unique_ptr<dbfs::HttpApi> api;
  std::unique_ptr<fs::DbfsStorage> dbfs;
  std::unique_ptr<fs::StorageRouter> storage;
  std::unique_ptr<fs::Filesystem> filesystem;
  std::atomic<bool> started{false};  // api and filesystem are set
};

// SIGUSR1 logs a one-screen summary: API calls by op, bytes, retries, cache and uploads.
void log_summary(Mount& mount) {
  if (!mount.started) {
    spdlog::info("summary: not started yet");
    return;
  }
  fs::Filesystem::Stats f = mount.filesystem->stats();
  spdlog::info("summary of {} at {}:\n{}block cache: {} hits, {} fetches, {} handed to the "
               "kernel, {} MiB held\nuploads: {} done, {} failed, {} in flight; {} files open",
               mount.options.source, mount.options.mountpoint, mount.api->stats().summary(),
               f.blocks.hits, f.blocks.misses, f.blocks.taken, f.blocks.bytes >> 20, f.uploads,
               f.uploads_failed, f.uploads_in_flight, f.nodes);
}

// Blocks SIGUSR1 in this thread (and so in every thread started after it) and answers it on a
// thread of its own, where logging is safe.
void start_summary_thread(Mount& mount) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([&mount, set] {
    for (;;) {
      int signal = 0;
      if (sigwait(&set, &signal) == 0) log_summary(mount);
    }
  }).detach();
}

fuse_operations operations_with_start() {
  fuse_operations ops = fuse_adapter::make_operations();
  static auto configure = ops.init;
  ops.init = [](fuse_conn_info* conn, fuse_config* cfg) -> void* {
    auto* mount = static_cast<Mount*>(fuse_get_context()->private_data);
    mount->api = std::make_unique<dbfs::HttpApi>(mount->api_config);
    mount->dbfs = std::make_unique<fs::DbfsStorage>(*mount->api);
    mount->storage = std::make_unique<fs::StorageRouter>(*mount->dbfs);
    mount->filesystem = std::make_unique<fs::Filesystem>(*mount->storage, mount->options.fs);
    mount->started = true;
    fuse_get_context()->private_data = mount->filesystem.get();
    return configure(conn, cfg);
  };
  return ops;
}

std::vector<std::string> fuse_arguments(const fuse_adapter::MountOptions& o) {
  std::string opts = "fsname=" + o.source + ",subtype=dbfs-fuse,default_permissions,max_read=1048576";
  if (o.allow_other) opts += ",allow_other";
  if (o.auto_unmount) opts += ",auto_unmount";
  for (const auto& extra : o.fuse_options) opts += "," + extra;
  std::vector<std::string> args = {"dbfs-fuse", "-o", opts};
  if (o.debug) args.push_back("-d");
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  // Many threads each touching 1 MiB buffers would otherwise each grow a malloc arena of their
  // own, and memory held in arenas counts against the cache budget. One arena: free space left
  // between blocks (1 MiB) and API answers (1.4 MB) is reused by every thread, not held apart in
  // each thread's arena.
  mallopt(M_ARENA_MAX, 1);
  // Blocks and API answers are 1 to 1.4 MiB. By default glibc maps each such buffer on its own,
  // or trims the heap when it is freed, and the next one faults in fresh pages the kernel must
  // clear first: a cold read would pay that for every block. Keep them in the heap for reuse
  // instead; up to 64 MiB of free memory may stay with the process.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  auto parsed = fuse_adapter::parse_mount_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) return fail(parsed.error, 2);
  Mount mount;
  mount.options = *parsed.options;
  auto& o = mount.options;
  if (o.help) {
    std::fputs(fuse_adapter::usage().c_str(), stdout);
    return 0;
  }
  if (o.version) {
    std::printf("dbfs-fuse %s (libfuse %d)\n", DBFS_FUSE_VERSION, fuse_version());
    return 0;
  }
  auto level = dbfs::parse_log_level(o.debug ? "debug" : o.log_level);
  if (!level) return fail("log_level must be trace, debug, info, warn, error or off", 2);
  dbfs::setup_logging({*level, ""});

  dbfs::ResolvedConfig config;
  try {
    config = dbfs::resolve_config(o.client);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  mount.api_config = dbfs::make_http_api_config(config);
  o.fs.workspace = config.host;

  struct stat st;
  if (::stat(o.mountpoint.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail("mount point " + o.mountpoint + " is not a directory");
  }
  if (std::string problem = fuse_adapter::prepare_cache_dir(o.fs.cache_dir); !problem.empty()) {
    return fail(problem);
  }

  try {
    dbfs::HttpApi probe(mount.api_config);
    dbfs::FileInfo root = probe.get_status(o.remote_root);
    if (!root.is_dir) return fail("cannot mount " + o.source + ": it is a file, not a directory");
    fs::DbfsStorage probe_storage(probe);
    fs::StorageRouter storage(probe_storage);
    fs::UploadJournal::recover(o.fs.cache_dir, config.host, storage, /*own_pid_is_dead=*/true);
  } catch (const dbfs::ApiError& e) {
    return fail(explain(e, o, config.host));
  } catch (const std::exception& e) {
    return fail("cannot mount " + o.source + ": " + e.what());
  }

  auto arg_strings = fuse_arguments(o);
  std::vector<char*> arg_ptrs;
  for (auto& a : arg_strings) arg_ptrs.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(int(arg_ptrs.size()), arg_ptrs.data());
  fuse_operations ops = operations_with_start();
  fuse* f = fuse_new(&args, &ops, sizeof ops, &mount);
  if (!f) {
    fuse_opt_free_args(&args);
    return fail("libfuse refused the options " + arg_strings[2]);
  }
  if (fuse_mount(f, o.mountpoint.c_str()) != 0) {
    fuse_destroy(f);
    fuse_opt_free_args(&args);
    return fail("cannot mount at " + o.mountpoint + " (is /dev/fuse there, and fusermount3?)");
  }
  fuse_adapter::raise_kernel_readahead(o.mountpoint, 1024);
  if (fuse_daemonize(o.foreground) != 0) {
    fuse_unmount(f);
    fuse_destroy(f);
    fuse_opt_free_args(&args);
    return fail("cannot go to the background");
  }
  if (!o.foreground) dbfs::setup_logging({*level, "", true});
  start_summary_thread(mount);
  fuse_session* session = fuse_get_session(f);
  fuse_set_signal_handlers(session);
  spdlog::info("mounted {} at {} ({})", o.source, o.mountpoint, config.host);

  fuse_loop_config* loop = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(loop, 32);
  int rc = fuse_loop_mt(f, loop);
  fuse_loop_cfg_destroy(loop);

  spdlog::info("unmounting {}", o.mountpoint);
  fuse_remove_signal_handlers(session);
  fuse_unmount(f);
  fuse_destroy(f);
  fuse_opt_free_args(&args);
  mount.filesystem.reset();
  // The loop answers the number of the signal that ended it (SIGTERM, SIGINT: a clean stop) or
  // a negative errno.
  return rc >= 0 ? 0 : 1;
}
