#include "fuse/mount_options.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "dbfs/path.h"

namespace fuse_adapter {
namespace {

using Setter = std::function<std::string(MountOptions&, const std::string&)>;

struct Option {
  std::string name;  // as in -o name=value; the long flag is --name with '_' as '-'
  bool takes_value;
  std::string help;
  Setter set;
};

std::string parse_number(const std::string& value, long long min, long long max, long long* out,
                         int base = 10) {
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, *out, base);
  if (ec != std::errc() || ptr != end || value.empty() || *out < min || *out > max) {
    return "a number from " + std::to_string(min) + " to " + std::to_string(max);
  }
  return {};
}

// A setter for a numeric option stored through `apply`.
Setter number(long long min, long long max, std::function<void(MountOptions&, long long)> apply,
              int base = 10) {
  return [=](MountOptions& o, const std::string& v) {
    long long n;
    std::string err = parse_number(v, min, max, &n, base);
    if (err.empty()) apply(o, n);
    return err;
  };
}

Setter text(std::string MountOptions::*field) {
  return [=](MountOptions& o, const std::string& v) {
    o.*field = v;
    return std::string();
  };
}

Setter client_text(std::string dbfs::ClientOptions::*field) {
  return [=](MountOptions& o, const std::string& v) {
    o.client.*field = v;
    return std::string();
  };
}

Setter flag(std::function<void(MountOptions&)> apply) {
  return [=](MountOptions& o, const std::string&) {
    apply(o);
    return std::string();
  };
}

const std::vector<Option>& options_table() {
  using namespace std::chrono;
  static const std::vector<Option> table = {
      {"profile", true, "profile of the Databricks config file (default: DEFAULT)",
       client_text(&dbfs::ClientOptions::profile)},
      {"config_file", true, "Databricks config file (default: ~/.databrickscfg)",
       client_text(&dbfs::ClientOptions::config_file)},
      {"host", true, "workspace URL (default: from the environment or the profile)",
       client_text(&dbfs::ClientOptions::host)},
      {"token_file", true, "file holding the access token (keeps it out of argv)",
       client_text(&dbfs::ClientOptions::token_file)},
      {"ca_file", true, "PEM file of the CAs to trust (default: the system's)",
       client_text(&dbfs::ClientOptions::ca_file)},
      {"insecure", false, "skip TLS certificate verification (logged as a warning)",
       flag([](MountOptions& o) { o.client.insecure = true; })},
      {"ro", false, "mount read-only",
       flag([](MountOptions& o) {
         o.fs.read_only = true;
         o.fuse_options.push_back("ro");
       })},
      {"rw", false, "mount read-write (the default)",
       flag([](MountOptions& o) { o.fs.read_only = false; })},
      {"uid", true, "owner of every file (default: the mounting user)",
       number(0, 4294967294LL, [](MountOptions& o, long long n) { o.fs.uid = uid_t(n); })},
      {"gid", true, "group of every file (default: the mounting user's)",
       number(0, 4294967294LL, [](MountOptions& o, long long n) { o.fs.gid = gid_t(n); })},
      {"umask", true, "octal umask for file modes 0666 and directory modes 0777 (default: 022)",
       number(0, 0777, [](MountOptions& o, long long n) { o.fs.umask = mode_t(n); }, 8)},
      {"allow_other", false, "let other users use the mount (needs user_allow_other for non-root)",
       flag([](MountOptions& o) { o.allow_other = true; })},
      {"auto_unmount", false, "unmount when dbfs-fuse exits, even if killed",
       flag([](MountOptions& o) { o.auto_unmount = true; })},
      {"attr_ttl", true, "seconds file attributes are cached (default: 60)",
       number(0, 86400, [](MountOptions& o, long long n) { o.fs.ttls.attr = seconds(n); })},
      {"dir_ttl", true, "seconds directory listings are cached (default: 60)",
       number(0, 86400, [](MountOptions& o, long long n) { o.fs.ttls.dir = seconds(n); })},
      {"negative_ttl", true, "seconds a missing name is remembered (default: 10)",
       number(0, 86400, [](MountOptions& o, long long n) { o.fs.ttls.negative = seconds(n); })},
      {"cache_size", true, "MiB of file blocks cached in memory (default: 256)",
       number(4, 1 << 20, [](MountOptions& o, long long n) { o.fs.block_cache_bytes = size_t(n) << 20; })},
      {"readahead", true, "MiB read ahead of a sequential reader (default: 16)",
       number(1, 1024, [](MountOptions& o, long long n) { o.fs.readahead_max_blocks = n; })},
      {"write_memory", true,
       "MiB of staged writes held in memory, all files together, before they go to cache_dir "
       "(default: 128; up to 8 per file)",
       number(8, 1 << 20, [](MountOptions& o, long long n) {
         o.fs.staging_total_memory_bytes = size_t(n) << 20;
       })},
      {"cache_dir", true,
       "folder for staged writes and the upload journal, writable by you alone (default: "
       "$XDG_CACHE_HOME/dbfs-fuse, /var/cache/dbfs-fuse as root)",
       [](MountOptions& o, const std::string& v) {
         o.fs.cache_dir = v;
         return std::string();
       }},
      {"http_timeout", true, "seconds a request may go without progress; with what its size needs at 64 KiB/s, "
       "the most one request may take (default: 60)",
       number(1, 3600, [](MountOptions& o, long long n) { o.client.http_timeout_seconds = int(n); })},
      {"retry_timeout", true, "seconds one call may take in all, retries included (default: 120)",
       number(0, 86400, [](MountOptions& o, long long n) { o.client.retry_timeout_seconds = int(n); })},
      {"log_level", true, "trace, debug, info, warn, error or off (default: info)",
       text(&MountOptions::log_level)},
  };
  return table;
}

// Mount options libfuse and the kernel understand, passed through untouched.
bool is_fuse_option(const std::string& key) {
  static const std::set<std::string> keys = {
      "fsname", "subtype", "max_read", "default_permissions", "allow_root", "nosuid", "suid",
      "nodev", "dev", "noexec", "exec", "noatime", "atime", "relatime", "norelatime",
      "strictatime", "sync", "async", "dirsync", "max_background", "congestion_threshold"};
  return keys.count(key) > 0;
}

// What mount(8) and fstab add for their own use; nothing for us to do.
bool is_ignored_option(const std::string& key) {
  static const std::set<std::string> keys = {"defaults", "_netdev", "nofail", "auto", "noauto",
                                             "user", "nouser", "users", "owner", "comment",
                                             "loop", "nosymfollow"};
  return keys.count(key) > 0 || key.starts_with("x-") || key.starts_with("comment=");
}

std::string apply(MountOptions& o, const std::string& key, const std::optional<std::string>& value) {
  for (const auto& opt : options_table()) {
    if (opt.name != key) continue;
    if (opt.takes_value && !value) return "option '" + key + "' needs a value";
    if (!opt.takes_value && value) return "option '" + key + "' takes no value";
    std::string err = opt.set(o, value.value_or(""));
    if (!err.empty()) return "option '" + key + "' must be " + err;
    return {};
  }
  if (is_fuse_option(key)) {
    o.fuse_options.push_back(value ? key + "=" + *value : key);
    return {};
  }
  if (is_ignored_option(key)) return {};
  return "unknown option '" + key + "' (see dbfs-fuse --help)";
}

std::string apply_o(MountOptions& o, const std::string& list) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string err = eq == std::string::npos
                          ? apply(o, item, std::nullopt)
                          : apply(o, item.substr(0, eq), item.substr(eq + 1));
    if (!err.empty()) return err;
  }
  return {};
}

std::string default_cache_dir() {
  if (geteuid() == 0) return "/var/cache/dbfs-fuse";
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/dbfs-fuse";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/dbfs-fuse";
  return "/tmp/dbfs-fuse-" + std::to_string(geteuid());
}

}  // namespace

ParseResult parse_mount_options(const std::vector<std::string>& args) {
  MountOptions o;
  o.fs.uid = getuid();
  o.fs.gid = getgid();
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string err;
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "-V" || a == "--version") {
      o.version = true;
    } else if (a == "-f" || a == "--foreground") {
      o.foreground = true;
    } else if (a == "-d" || a == "--debug") {
      o.debug = o.foreground = true;
    } else if (a == "-s") {
      // libfuse's single-threaded switch: accepted for compatibility, the loop stays threaded.
    } else if (a == "-o") {
      if (++i == args.size()) return {std::nullopt, "-o needs a list of options"};
      err = apply_o(o, args[i]);
    } else if (a.starts_with("-o") && a.size() > 2) {
      err = apply_o(o, a.substr(2));
    } else if (a.starts_with("--")) {
      std::string key = a.substr(2);
      std::optional<std::string> value;
      if (size_t eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key.resize(eq);
      }
      for (auto& c : key) c = c == '-' ? '_' : c;
      bool takes_value = false, known = false;
      for (const auto& opt : options_table()) {
        if (opt.name == key) known = true, takes_value = opt.takes_value;
      }
      if (!known) return {std::nullopt, "unknown option '" + a + "' (see dbfs-fuse --help)"};
      if (takes_value && !value) {
        if (++i == args.size()) return {std::nullopt, "option '" + a + "' needs a value"};
        value = args[i];
      }
      err = apply(o, key, value);
    } else if (a.size() > 1 && a[0] == '-') {
      return {std::nullopt, "unknown option '" + a + "' (see dbfs-fuse --help)"};
    } else {
      positional.push_back(a);
    }
    if (!err.empty()) return {std::nullopt, err};
  }
  if (o.help || o.version) return {o, {}};
  if (positional.size() != 2) {
    return {std::nullopt, "expected a source and a mount point: dbfs-fuse [OPTIONS] dbfs:/[PATH] MOUNTPOINT"};
  }
  o.source = positional[0];
  o.mountpoint = positional[1];
  auto root = dbfs::path::normalize(o.source);
  if (!o.source.starts_with("dbfs:") || !root) {
    return {std::nullopt, "the source must be a DBFS path such as dbfs:/ or dbfs:/mnt/data, not '" +
                              o.source + "'"};
  }
  o.remote_root = *root;
  o.fs.remote_root = *root;
  if (o.fs.cache_dir.empty()) o.fs.cache_dir = default_cache_dir();
  return {o, {}};
}

std::string usage() {
  std::string text =
      "usage: dbfs-fuse [OPTIONS] dbfs:/[PATH] MOUNTPOINT\n"
      "\n"
      "Mounts Databricks DBFS (or a directory of it) at MOUNTPOINT.\n"
      "Credentials: explicit options, then DATABRICKS_HOST, DATABRICKS_TOKEN,\n"
      "DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET, DATABRICKS_CONFIG_PROFILE,\n"
      "DATABRICKS_CONFIG_FILE, then the profile of ~/.databrickscfg.\n"
      "\n"
      "Options (as --name VALUE, or as -o name=value[,name=value] for mount(8) and fstab):\n";
  for (const auto& opt : options_table()) {
    std::string flag = "--" + opt.name;
    for (auto& c : flag) c = c == '_' ? '-' : c;
    std::string left = "  -o " + opt.name + (opt.takes_value ? "=VALUE" : "") + ", " + flag;
    if (left.size() < 34) left.resize(34, ' ');
    else left += "\n" + std::string(34, ' ');
    text += left + opt.help + "\n";
  }
  text +=
      "  -f, --foreground                stay in the foreground, log to stderr\n"
      "  -d, --debug                     foreground, debug logging and FUSE request tracing\n"
      "  -h, --help                      this text\n"
      "  -V, --version                   print the version\n"
      "\n"
      "Also passed to libfuse: fsname=, subtype=, max_read=, default_permissions, allow_root,\n"
      "nosuid, nodev, noexec, noatime, ... mount(8)'s own defaults, _netdev, nofail, noauto and\n"
      "x-systemd.* are accepted and ignored. Any other option is an error.\n"
      "\n"
      "chmod, chown and utimes succeed without effect: DBFS keeps no modes, owners or times.\n";
  return text;
}

}  // namespace fuse_adapter
