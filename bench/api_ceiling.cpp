// dbfs-api-ceiling: the raw DBFS API doing the least a workload needs, with nothing of dbfs-fuse
// in the way. bench/run measures each dbfs-fuse workload against one of these, in the same run
// and against the same emulator, so the ratio says how much of what the server and this machine
// can deliver dbfs-fuse actually gets.
//
// Credentials come the usual way (DATABRICKS_HOST, DATABRICKS_TOKEN). Every mode prints one
// number on stdout: seconds taken, or for random-read operations per second. Each mode checks
// what it got back (byte counts, entry counts) and fails loudly rather than report a figure for
// work it did not do.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dbfs/auth.h"
#include "dbfs/http_api.h"

namespace {

constexpr int64_t kBlock = dbfs::Api::kMaxBlock;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

// `parallel` threads pull the next 1 MiB block off a shared counter, so exactly `parallel`
// reads are in flight until the file runs out: 1 is how Databricks' CLI and SDKs download,
// 8 is what dbfs-fuse's readahead pool keeps in flight.
double read_file(dbfs::Api& api, const std::string& path, int parallel) {
  int64_t size = api.get_status(path).file_size;
  int64_t blocks = (size + kBlock - 1) / kBlock;
  std::atomic<int64_t> next{0}, total{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < parallel; ++t) {
    threads.emplace_back([&] {
      std::string data;
      try {
        for (int64_t b = next++; b < blocks; b = next++) {
          total += api.read(path, b * kBlock, kBlock, data);
        }
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        failure = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = seconds_since(start);
  if (failure) std::rethrow_exception(failure);
  check(total == size, "read fewer bytes than the file holds");
  return elapsed;
}

// create, back-to-back full add-blocks, close: the upload with nothing else. The block is the
// same buffer each time; the server cannot tell, and no time goes into making data.
double write_file(dbfs::Api& api, const std::string& path, int64_t size) {
  std::string block(kBlock, 'x');
  auto start = Clock::now();
  int64_t handle = api.create(path, true);
  for (int64_t done = 0; done < size; done += kBlock) {
    api.add_block(handle, std::string_view(block).substr(0, size_t(std::min(kBlock, size - done))));
  }
  api.close(handle);
  double elapsed = seconds_since(start);
  check(api.get_status(path).file_size == size, "written file has the wrong size");
  return elapsed;
}

// One put per file, one at a time, as cp and rsync go through files.
double put_files(dbfs::Api& api, const std::string& dir, int count, int64_t size) {
  std::string contents(size_t(size), 'x');
  auto start = Clock::now();
  for (int i = 0; i < count; ++i) api.put(dir + "/f" + std::to_string(i), contents, false);
  return seconds_since(start);
}

// One list of the directory, then one read per file, serially: what copying it out needs.
double get_files(dbfs::Api& api, const std::string& dir) {
  auto start = Clock::now();
  std::string data;
  for (const auto& entry : api.list(dir)) {
    if (entry.is_dir) continue;
    for (int64_t off = 0; off < entry.file_size; off += kBlock) {
      check(api.read(entry.path, off, kBlock, data) > 0, "short read of " + entry.path);
    }
  }
  return seconds_since(start);
}

// One list per directory, depth first: what find and rsync's comparison need.
int64_t walk(dbfs::Api& api, const std::string& dir) {
  int64_t entries = 0;
  for (const auto& entry : api.list(dir)) {
    ++entries;
    if (entry.is_dir) entries += walk(api, entry.path);
  }
  return entries;
}

double timed_walk(dbfs::Api& api, const std::string& dir, int64_t expected) {
  auto start = Clock::now();
  int64_t entries = walk(api, dir);
  double elapsed = seconds_since(start);
  check(expected < 0 || entries == expected,
        "found " + std::to_string(entries) + " entries, expected " + std::to_string(expected));
  return elapsed;
}

// Reads of `io` bytes at random aligned offsets, one at a time, for `seconds`: the minimal
// traffic of fio's 4 KiB random reads (no block-sized fetch, no cache).
double random_reads(dbfs::Api& api, const std::string& path, int64_t io, double seconds) {
  int64_t slots = api.get_status(path).file_size / io;
  std::mt19937_64 rng(42);
  std::string data;
  int64_t ops = 0;
  auto start = Clock::now();
  while (seconds_since(start) < seconds) {
    check(api.read(path, int64_t(rng() % uint64_t(slots)) * io, io, data) == io, "short read");
    ++ops;
  }
  return double(ops) / seconds_since(start);
}

int usage() {
  std::fputs(
      "usage: dbfs-api-ceiling MODE ARGS   (prints seconds, or ops/s for random-read)\n"
      "  read PATH PARALLEL              1 MiB reads of the whole file, PARALLEL in flight\n"
      "  write PATH BYTES                create, 1 MiB add-blocks, close\n"
      "  put-many DIR COUNT BYTES        COUNT puts of BYTES each, serially\n"
      "  get-many DIR                    list DIR, then read each file, serially\n"
      "  walk DIR EXPECTED               list DIR and every directory below (EXPECTED entries,\n"
      "                                  -1: any)\n"
      "  random-read PATH BYTES SECONDS  BYTES-sized reads at random offsets, serially\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.empty()) return usage();
  try {
    dbfs::HttpApi api(dbfs::make_http_api_config(dbfs::resolve_config({})));
    const std::string& mode = a[0];
    auto arg = [&](size_t i) { return std::stoll(a.at(i)); };
    double figure;
    if (mode == "read" && a.size() == 3) {
      figure = read_file(api, a[1], int(arg(2)));
    } else if (mode == "write" && a.size() == 3) {
      figure = write_file(api, a[1], arg(2));
    } else if (mode == "put-many" && a.size() == 4) {
      figure = put_files(api, a[1], int(arg(2)), arg(3));
    } else if (mode == "get-many" && a.size() == 2) {
      figure = get_files(api, a[1]);
    } else if (mode == "walk" && a.size() == 3) {
      figure = timed_walk(api, a[1], arg(2));
    } else if (mode == "random-read" && a.size() == 4) {
      figure = random_reads(api, a[1], arg(2), std::stod(a[3]));
    } else {
      return usage();
    }
    std::printf("%.6f\n", figure);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dbfs-api-ceiling %s: %s\n", a[0].c_str(), e.what());
    return 1;
  }
}
