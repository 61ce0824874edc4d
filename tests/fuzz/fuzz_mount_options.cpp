// libFuzzer target: the command line of dbfs-fuse (fuse_adapter::parse_mount_options).
// The input is split into argv words at NUL bytes when it has any (so words may hold blanks),
// else at blanks, so the seeds read like shell command lines.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "dbfs/path.h"
#include "fuse/mount_options.h"

namespace {

using fuse_adapter::ParseResult;

std::vector<std::string> split_words(std::string_view input) {
  bool nul = input.find('\0') != std::string_view::npos;
  std::string_view separators = nul ? std::string_view("\0", 1) : std::string_view(" \t\n");
  std::vector<std::string> words;
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find_first_of(separators, start);
    if (end == std::string_view::npos) end = input.size();
    // Blank-separated words are never empty; NUL-separated ones may be, as argv can.
    if (nul || end > start) words.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// Everything a parse decided, as text, so two parses can be compared.
std::string describe(const ParseResult& r) {
  if (!r.options) return "error: " + r.error;
  const auto& o = *r.options;
  std::string s = o.source + '|' + o.remote_root + '|' + o.mountpoint + '|' + o.log_level + '|';
  const auto& c = o.client;
  for (const std::string* v : {&c.profile, &c.config_file, &c.host, &c.token, &c.token_file,
                               &c.client_id, &c.client_secret, &c.auth_type, &c.ca_file}) {
    s += *v + '|';
  }
  s += std::to_string(c.insecure.value_or(false)) + std::to_string(c.insecure.has_value()) + '|' +
       std::to_string(c.http_timeout_seconds.value_or(-1)) + '|' +
       std::to_string(c.retry_timeout_seconds.value_or(-1)) + '|';
  const auto& f = o.fs;
  s += f.remote_root + '|' + std::to_string(f.uid) + '|' + std::to_string(f.gid) + '|' +
       std::to_string(f.umask) + '|' + std::to_string(f.read_only) + '|' +
       std::to_string(f.ttls.attr.count()) + '|' + std::to_string(f.ttls.dir.count()) + '|' +
       std::to_string(f.ttls.negative.count()) + '|' + std::to_string(f.block_cache_bytes) + '|' +
       std::to_string(f.readahead_max_blocks) + '|' + f.cache_dir + '|';
  s += std::to_string(o.foreground) + std::to_string(o.debug) + std::to_string(o.allow_other) +
       std::to_string(o.auto_unmount) + std::to_string(o.help) + std::to_string(o.version);
  for (const auto& fo : o.fuse_options) s += '|' + fo;
  return s;
}

// "-o a,b" and "-oa,b" become "-o a -o b": splitting an option list must change nothing.
// A word after "--name" is left alone: it may be that option's value, not an option list.
std::vector<std::string> split_option_lists(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string list;
    bool maybe_value = i > 0 && args[i - 1].starts_with("--") &&
                       args[i - 1].find('=') == std::string::npos;
    if (maybe_value) {
      out.push_back(args[i]);
      continue;
    }
    if (args[i] == "-o" && i + 1 < args.size()) {
      list = args[++i];
    } else if (args[i].starts_with("-o") && args[i].size() > 2) {
      list = args[i].substr(2);
    } else {
      out.push_back(args[i]);
      continue;
    }
    bool any = false;
    for (size_t start = 0; start <= list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      if (comma > start) {
        out.push_back("-o");
        out.push_back(list.substr(start, comma - start));
        any = true;
      }
      start = comma + 1;
    }
    if (!any) {  // nothing but commas: keep it as it was
      out.push_back("-o");
      out.push_back(list);
    }
  }
  return out;
}

void check_options(const fuse_adapter::MountOptions& o) {
  // libfuse gets these joined with commas: a comma inside one would smuggle in another option
  // (say allow_other) that the checks here never saw.
  for (const auto& fo : o.fuse_options) {
    FUZZ_CHECK(!fo.empty() && fo.find(',') == std::string::npos, fo);
  }
  FUZZ_CHECK(o.fs.umask <= 0777, std::to_string(o.fs.umask));
  FUZZ_CHECK(o.fs.block_cache_bytes >= (4u << 20), std::to_string(o.fs.block_cache_bytes));
  FUZZ_CHECK(o.fs.readahead_max_blocks >= 1, std::to_string(o.fs.readahead_max_blocks));
  if (o.help || o.version) return;
  FUZZ_CHECK(o.source.starts_with("dbfs:"), o.source);
  FUZZ_CHECK(dbfs::path::normalize(o.source) == o.remote_root, o.source);
  FUZZ_CHECK(o.fs.remote_root == o.remote_root, o.remote_root);
  FUZZ_CHECK(!o.fs.cache_dir.empty(), o.source);
  FUZZ_CHECK(!o.debug || o.foreground, o.source);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args = split_words(input);
  ParseResult result = fuse_adapter::parse_mount_options(args);
  FUZZ_CHECK(result.options.has_value() == result.error.empty(), result.error);
  if (result.options) check_options(*result.options);
  std::string first = describe(result);
  std::string split = describe(fuse_adapter::parse_mount_options(split_option_lists(args)));
  FUZZ_CHECK(first == split, first + "  <>  " + split);
  return 0;
}
