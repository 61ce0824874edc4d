// Two threads on the same few paths, over the emulator's Store in-process: one writes files
// whole (open or create with one set of flags or another, write, maybe fsync, close, release),
// the other reads them (some descriptors kept open across its other calls), removes and
// renames them. Then: nothing crashed or hung (the test has its own timeout), every call
// succeeded and every release returned 0, no node is left once every descriptor is released,
// and every file on DBFS holds exactly one content the writer wrote, whole, as the core shows it.
//
//   DBFS_STRESS_SEED=N        the threads' choices (the interleaving is the scheduler's)
//   DBFS_STRESS_ITERATIONS=N  the writer's iterations (default 300)

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "dbfs/api_error.h"
#include "fs/filesystem.h"
#include "scratch_store.h"

namespace fs {
namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr auto kTimeout = std::chrono::seconds(60);
// A read in flight while this mount replaces the same file (the writer's open, truncate, write
// and close of the node the reader's descriptor mirrors) reads the store's new content at the
// old size: it fails (EIO, or EINVAL past the new end) or returns bytes of both versions. A
// known defect of the core: until it is fixed such reads are counted and shown, not failed.
// Set this to false to hold the core to it.
constexpr bool kReadsMayFailWhileReplaced = true;
const char* const kPaths[] = {"/p0", "/p1", "/p2", "/d/p3"};

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text ? std::strtoull(text, nullptr, 10) : fallback;
}

// The content the writer's iteration `id` writes: a header naming it, then bytes of its own.
std::string content_of(uint64_t id, size_t size) {
  std::string header = "stress " + std::to_string(id) + " " + std::to_string(size) + "\n";
  if (size < header.size()) size = header.size();
  return header + testing::random_bytes(size - header.size(), unsigned(id));
}

// The id of a content as content_of made it, whole; nullopt for anything else.
std::optional<uint64_t> whole_content_id(const std::string& data) {
  unsigned long long id = 0;
  size_t size = 0;
  if (std::sscanf(data.c_str(), "stress %llu %zu\n", &id, &size) != 2) return std::nullopt;
  if (data != content_of(id, size)) return std::nullopt;
  return id;
}

// The last calls of one thread, for the report of a failure. Each call is stamped where it
// began and ended on a clock both threads read, relaxed: the trace adds no synchronization
// between the threads that could hide a race from ThreadSanitizer.
struct Trace {
  struct Call {
    uint64_t begin, end;
    std::string what;
  };
  static constexpr size_t kKept = 400;
  std::deque<Call> calls;
  void add(Call call) {
    calls.push_back(std::move(call));
    if (calls.size() > kKept) calls.pop_front();
  }
};

class Stress {
 public:
  Stress(Filesystem& fs, uint64_t seed) : fs_(fs), seed_(seed) {}

  // What each thread is doing, for a report if they do not finish. These atomics, and every
  // other one shared by the threads, are relaxed: the test must not order the threads' calls
  // itself, or ThreadSanitizer would miss races of the core between them.
  static constexpr auto kRelaxed = std::memory_order_relaxed;
  std::atomic<const char*> writer_doing{"starting"}, other_doing{"starting"};
  std::atomic<int> writer_iteration{0}, other_iteration{0};
  std::atomic<bool> writer_done{false};
  // What the other thread got done: reads, and unlinks and renames of names it found.
  std::atomic<int> reads{0}, unlinks{0}, renames{0};
  // Reads that failed, or returned a content not whole (see kReadsMayFailWhileReplaced).
  std::atomic<int> reads_failed{0}, reads_torn{0};
  // Each thread's own; read once both are done.
  Trace writer_trace, other_trace;
  std::set<uint64_t> written;  // the writer's: ids of the contents it wrote

  void writer(int iterations) {
    std::mt19937_64 rng(seed_);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    auto call = [&](const char* doing, const std::string& what, const std::function<int()>& op) {
      writer_doing.store(doing, kRelaxed);
      return timed(writer_trace, "writer: " + what, op);
    };
    static const int kFlags[] = {O_WRONLY | O_TRUNC, O_RDWR | O_TRUNC, O_RDWR,
                                 O_WRONLY | O_APPEND | O_TRUNC};
    for (int i = 0; i < iterations && !failed(); ++i) {
      writer_iteration.store(i, kRelaxed);
      std::string path = kPaths[pick(4)];
      uint64_t id = uint64_t(i) + 1;
      // Mostly small; one in sixteen beyond a block, so its upload streams.
      size_t size = pick(16) == 0 ? size_t(kMiB) + pick(size_t(kMiB)) : pick(64 << 10);
      std::string data = content_of(id, size);

      Filesystem::Handle fh = 0;
      int flags = kFlags[pick(4)];
      int rc;
      struct stat st;
      auto create = [&] {
        flags = O_WRONLY | O_CREAT | O_TRUNC;
        return call("create", "create " + path, [&] { return fs_.create(path, flags, &fh); });
      };
      if (pick(4) == 0 && call("getattr", "getattr " + path,
                               [&] { return fs_.getattr(path, &st); }) == -ENOENT) {
        rc = create();  // as the kernel does for O_CREAT: a lookup found nothing
      } else {
        bool keep;
        rc = call("open", "open " + path + " flags " + std::to_string(flags),
                  [&] { return fs_.open(path, flags, &fh, &keep); });
        if (rc == -ENOENT) rc = create();  // removed or renamed away meanwhile
      }
      if (!expect(rc, 0, "writer: open or create " + path)) break;
      if (flags == O_RDWR) {  // no O_TRUNC: emptied by ftruncate
        expect(call("ftruncate", "ftruncate 0", [&] { return fs_.truncate(fh, 0); }), 0,
               "writer: ftruncate " + path);
      }
      written.insert(id);
      expect(call("write", "write content " + std::to_string(id) + ", " +
                               std::to_string(data.size()) + " bytes",
                  [&] { return fs_.write(fh, data.data(), data.size(), 0); }),
             int(data.size()), "writer: write " + path);
      // Only this thread writes, through one descriptor at a time: it reads its own content.
      if ((flags & O_ACCMODE) == O_RDWR) {
        std::string back(data.size() + 1, '\0');
        int n = call("read back", "read back", [&] {
          return testing::read_into(fs_, fh, back.data(), back.size(), 0);
        });
        if (n != int(data.size()) || back.compare(0, data.size(), data) != 0) {
          fail("writer: " + path + " read back " + std::to_string(n) + " bytes, not the " +
               std::to_string(data.size()) + " written");
        }
      }
      if (pick(4) == 0) {
        expect(call("fsync", "fsync", [&] { return fs_.fsync(fh); }), 0, "writer: fsync " + path);
      }
      expect(call("flush", "flush", [&] { return fs_.flush(fh); }), 0, "writer: flush " + path);
      expect(call("release", "release", [&] { return fs_.release(fh); }), 0,
             "writer: release " + path);
    }
    writer_doing.store("done", kRelaxed);
    writer_done.store(true, kRelaxed);
  }

  void other(int max_iterations) {
    std::mt19937_64 rng(seed_ + 1);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    auto call = [&](const char* doing, const std::string& what, const std::function<int()>& op) {
      other_doing.store(doing, kRelaxed);
      return timed(other_trace, "other:  " + what, op);
    };
    std::vector<std::pair<Filesystem::Handle, std::string>> open;  // kept across other calls
    std::string buf(3 * kMiB, '\0');
    auto writer_running = [&] { return !writer_done.load(kRelaxed); };
    for (int i = 0; i < max_iterations && writer_running() && !failed(); ++i) {
      other_iteration.store(i, kRelaxed);
      // About as many calls as the writer makes, so the two overlap from start to end.
      while (i > 8 * (writer_iteration.load(kRelaxed) + 1) && writer_running()) {
        std::this_thread::yield();
      }
      std::string path = kPaths[pick(4)];
      struct stat st;
      switch (pick(10)) {
        case 0: case 1: case 2: case 3: {
          Filesystem::Handle fh;
          bool keep;
          int rc = call("open", "open " + path + " read-only",
                        [&] { return fs_.open(path, O_RDONLY, &fh, &keep); });
          if (rc == -ENOENT || !expect(rc, 0, "other: open " + path)) break;
          open.emplace_back(fh, path);
          [[fallthrough]];
        }
        case 4: {
          if (open.empty()) break;
          size_t j = pick(open.size());
          Filesystem::Handle fh = open[j].first;
          std::string opened_as = open[j].second;
          int n = call("read", "read descriptor of " + opened_as,
                       [&] { return testing::read_into(fs_, fh, buf.data(), buf.size(), 0); });
          // Only whole contents are ever written, in one call: a read sees one, or an empty
          // file between the writer's truncate and its write.
          std::string what;
          if (n < 0) {
            reads_failed.fetch_add(1, kRelaxed);
            what = "other: read of a descriptor opened as " + opened_as + " = " + std::to_string(n);
          } else if (n > 0 && !whole_content_id(buf.substr(0, size_t(n)))) {
            reads_torn.fetch_add(1, kRelaxed);
            what = "other: read of a descriptor opened as " + opened_as + ": " +
                   std::to_string(n) + " bytes, not a content written whole";
          }
          if (!what.empty() && kReadsMayFailWhileReplaced) note(what, other_trace.calls.back());
          if (!what.empty() && !kReadsMayFailWhileReplaced) fail(what);
          reads.fetch_add(1, kRelaxed);
          if (pick(2) == 0 || open.size() > 2) {
            size_t k = pick(open.size());
            expect(call("release", "release descriptor of " + open[k].second,
                        [&] { return fs_.release(open[k].first); }),
                   0, "other: release");
            open.erase(open.begin() + long(k));
          }
          break;
        }
        case 5: case 6: {
          // As the kernel does: a lookup first, and only a name it found is removed.
          if (call("getattr", "getattr " + path, [&] { return fs_.getattr(path, &st); }) != 0) break;
          int rc = call("unlink", "unlink " + path, [&] { return fs_.unlink(path); });
          if (expect(rc, 0, "other: unlink " + path)) unlinks.fetch_add(1, kRelaxed);
          break;
        }
        default: {
          std::string to = kPaths[pick(4)];
          if (call("getattr", "getattr " + path, [&] { return fs_.getattr(path, &st); }) != 0) break;
          int rc = call("rename", "rename " + path + " " + to,
                        [&] { return fs_.rename(path, to, 0); });
          if (expect(rc, 0, "other: rename " + path + " " + to)) renames.fetch_add(1, kRelaxed);
        }
      }
    }
    for (auto& [fh, opened_as] : open) {
      expect(call("release", "release descriptor of " + opened_as,
                  [&, fh = fh] { return fs_.release(fh); }),
             0, "other: release");
    }
    other_doing.store("done", kRelaxed);
  }

  bool failed() const { return failed_.load(kRelaxed); }
  std::vector<std::string> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }
  // The tolerated reads, each with the calls of both threads around it; once both are done.
  std::vector<std::string> notes() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [what, read] : notes_) {
      out.push_back(what + "; the calls around it, [began-ended]:" +
                    trace(read.begin > 24 ? read.begin - 24 : 0, read.end + 2));
    }
    return out;
  }
  // Both threads' calls that ran between `from` and `to` on their clock, in the order they
  // began (by default the last 60); once both are done.
  std::string trace(uint64_t from = 0, uint64_t to = UINT64_MAX) const {
    std::vector<Trace::Call> calls;
    for (const Trace* t : {&writer_trace, &other_trace}) {
      for (const auto& c : t->calls) {
        if (c.end >= from && c.begin <= to) calls.push_back(c);
      }
    }
    std::sort(calls.begin(), calls.end(), [](auto& a, auto& b) { return a.begin < b.begin; });
    if (from == 0 && calls.size() > 60) calls.erase(calls.begin(), calls.end() - 60);
    std::string out;
    for (const auto& c : calls) {
      out += "\n  [" + std::to_string(c.begin) + "-" + std::to_string(c.end) + "] " + c.what;
    }
    return out;
  }

 private:
  int timed(Trace& trace, const std::string& what, const std::function<int()>& op) {
    uint64_t begin = clock_.fetch_add(1, std::memory_order_relaxed);
    int rc = op();
    uint64_t end = clock_.fetch_add(1, std::memory_order_relaxed);
    trace.add({begin, end, what + " = " + std::to_string(rc)});
    return rc;
  }
  void note(const std::string& what, const Trace::Call& read) {
    std::lock_guard lock(mutex_);
    notes_.emplace_back(what, read);
    if (notes_.size() > 2) notes_.erase(notes_.begin());  // the last ones: their context is kept
  }
  void fail(const std::string& what) {
    std::lock_guard lock(mutex_);
    failures_.push_back(what);
    failed_.store(true, kRelaxed);
  }
  bool expect(int rc, int want, const std::string& what) {
    if (rc == want) return true;
    fail(what + " = " + std::to_string(rc) + ", not " + std::to_string(want));
    return false;
  }

  Filesystem& fs_;
  uint64_t seed_;
  std::atomic<uint64_t> clock_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::vector<std::string> failures_;
  std::vector<std::pair<std::string, Trace::Call>> notes_;  // the last tolerated reads
};

using testing::on_dbfs;

TEST(OpenReleaseStress, OpeningWhileReleasingRemovingAndRenamingKeepsFilesWhole) {
  uint64_t seed = env_number("DBFS_STRESS_SEED", std::random_device{}());
  int iterations = int(env_number("DBFS_STRESS_ITERATIONS", 300));
  SCOPED_TRACE("DBFS_STRESS_SEED=" + std::to_string(seed));
  testing::ScratchStore scratch("stress");
  scratch.store->mkdirs("/d");
  FsOptions options;
  options.cache_dir = scratch.cache();
  options.staging_memory_bytes = 256 << 10;  // spill now and then
  auto fs = std::make_unique<Filesystem>(*scratch.storage, options);
  Stress stress(*fs, seed);

  std::mutex mutex;
  std::condition_variable finished;
  int done = 0;
  auto run = [&](std::function<void()> body) {
    return std::thread([&, body] {
      body();
      std::lock_guard lock(mutex);
      ++done;
      finished.notify_all();
    });
  };
  std::thread writer = run([&] { stress.writer(iterations); });
  std::thread other = run([&] { stress.other(iterations * 100); });
  bool in_time;
  {
    std::unique_lock lock(mutex);
    in_time = finished.wait_for(lock, kTimeout, [&] { return done == 2; });
  }
  if (!in_time) {
    // Deadlocked, or hopelessly slow: the threads cannot be joined, nor the core destroyed.
    std::fprintf(stderr,
                 "OpenReleaseStress: not finished in %lld s (DBFS_STRESS_SEED=%llu): the writer "
                 "at iteration %d, in %s; the other thread at iteration %d, in %s\n",
                 static_cast<long long>(kTimeout.count()), static_cast<unsigned long long>(seed),
                 stress.writer_iteration.load(), stress.writer_doing.load(),
                 stress.other_iteration.load(), stress.other_doing.load());
    std::fflush(stderr);
    std::abort();
  }
  writer.join();
  other.join();
  std::fprintf(stderr,
               "OpenReleaseStress: %d writer iterations; the other thread's %d: %d reads (%d "
               "failed, %d not whole), %d unlinks, %d renames\n",
               stress.writer_iteration.load() + 1, stress.other_iteration.load() + 1,
               stress.reads.load(), stress.reads_failed.load(), stress.reads_torn.load(),
               stress.unlinks.load(), stress.renames.load());
  for (const auto& note : stress.notes()) {
    std::fprintf(stderr, "OpenReleaseStress: tolerated (kReadsMayFailWhileReplaced): %s\n",
                 note.c_str());
  }
  std::vector<std::string> failures = stress.failures();
  for (const auto& failure : failures) ADD_FAILURE() << failure;

  // Every descriptor is released: no node is left, nor anything hidden on DBFS.
  EXPECT_EQ(fs->stats().nodes, 0u);
  EXPECT_TRUE(fs->settled(std::chrono::seconds(10)));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(scratch.base / "root")) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".dbfs-fuse-")) << entry.path();
  }
  // Each file on DBFS is one content the writer wrote, whole; and the core shows it as it is.
  for (const char* path : kPaths) {
    std::optional<std::string> data = on_dbfs(*scratch.store, path);
    struct stat st;
    int rc = fs->getattr(path, &st);
    if (!data) {
      EXPECT_EQ(rc, -ENOENT) << path << " is not on DBFS";
      continue;
    }
    std::optional<uint64_t> id = whole_content_id(*data);
    EXPECT_TRUE(id && stress.written.count(*id))
        << path << " on DBFS: " << data->size() << " bytes, not a content written whole";
    EXPECT_EQ(rc, 0) << path << " is on DBFS";
    if (rc != 0) continue;
    EXPECT_EQ(st.st_size, int64_t(data->size())) << path;
    Filesystem::Handle fh;
    bool keep;
    rc = fs->open(path, O_RDONLY, &fh, &keep);
    EXPECT_EQ(rc, 0) << path;
    if (rc != 0) continue;
    std::string back(data->size() + 1, '\0');
    int n = testing::read_into(*fs, fh, back.data(), back.size(), 0);
    EXPECT_TRUE(n == int(data->size()) && back.compare(0, data->size(), *data) == 0)
        << path << " reads " << n << " bytes, unlike DBFS's " << data->size();
    EXPECT_EQ(fs->release(fh), 0);
  }
  if (HasFailure()) {
    ADD_FAILURE() << "DBFS_STRESS_SEED=" << seed << "; the last calls, [began-ended]:"
                  << stress.trace();
  }
}

}  // namespace
}  // namespace fs
