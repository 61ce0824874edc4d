// The filesystem core against a plain model of POSIX semantics, as the README promises them:
// seeded random sequences of create, open, write, read, truncate, rename, unlink, flush, fsync
// and release over a few paths and descriptors, run against the core over the emulator's Store
// in-process, and checked against the model after every step. Files removed or replaced while
// open stay readable through their descriptors; whatever a close published is on DBFS.
//
//   DBFS_REFTEST_SEED=N   replay one sequence (the failure message names its seed)
//   DBFS_REFTEST_STEPS=N  steps in all (default 10000), in sequences of 500

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fs/filesystem.h"
#include "scratch_store.h"

namespace fs {
namespace {

constexpr int64_t kMiB = 1 << 20;

// A file as POSIX sees it: its bytes, shared by every name and descriptor it has.
struct ModelFile {
  std::string data;
};

struct Descriptor {
  Filesystem::Handle fh = 0;
  std::shared_ptr<ModelFile> file;
  bool writable = false;
  bool append = false;
};

class Sequence {
 public:
  Sequence(uint64_t seed, Filesystem& fs, emulator::Store& store)
      : rng_(seed), fs_(fs), store_(store) {}

  // One random operation, then every check. Returns a description of the step for the trace.
  std::string step() {
    std::string what;
    switch (pick(12)) {
      case 0: case 1: what = create_or_open(); break;
      case 2: case 3: case 4: what = write(); break;
      case 5: what = read(); break;
      case 6: what = truncate(); break;
      case 7: what = flush(); break;
      case 8: what = release(); break;
      case 9: what = unlink(); break;
      case 10: what = rename(); break;
      case 11: what = rename_directory(); break;
    }
    check();
    return what;
  }

  void release_all() {
    for (auto& d : open_) EXPECT_EQ(fs_.release(d.fh), 0);
    open_.clear();
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::string any_path() {
    static const char* kPaths[] = {"/a", "/b", "/c", "/d/x", "/d/y"};
    std::string path = kPaths[pick(5)];
    if (path.starts_with("/d/") && directory_ == "/e") path.replace(0, 2, "/e");
    return path;
  }
  std::string bytes(size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = char(rng_());
    return s;
  }
  // Mostly small; now and then beyond a block, so uploads stream.
  int64_t some_size() { return pick(8) == 0 ? int64_t(pick(3 * kMiB)) : int64_t(pick(70000)); }

  std::string create_or_open() {
    std::string path = any_path();
    Descriptor d;
    auto it = names_.find(path);
    if (it == names_.end()) {
      EXPECT_EQ(fs_.create(path, O_RDWR | O_CREAT, &d.fh), 0) << path;
      d.file = std::make_shared<ModelFile>();
      names_[path] = d.file;
      d.writable = true;
      open_.push_back(d);
      return "create " + path;
    }
    static const int kModes[] = {O_RDONLY, O_RDWR, O_RDWR | O_TRUNC, O_WRONLY | O_APPEND};
    int flags = kModes[pick(4)];
    bool keep;
    EXPECT_EQ(fs_.open(path, flags, &d.fh, &keep), 0) << path;
    d.file = it->second;
    d.writable = (flags & O_ACCMODE) != O_RDONLY;
    d.append = flags & O_APPEND;
    if (flags & O_TRUNC) d.file->data.clear();
    open_.push_back(d);
    return "open " + path + " flags " + std::to_string(flags);
  }

  Descriptor* some_descriptor(bool writable) {
    std::vector<Descriptor*> fit;
    for (auto& d : open_) {
      if (!writable || d.writable) fit.push_back(&d);
    }
    return fit.empty() ? nullptr : fit[pick(fit.size())];
  }

  std::string write() {
    Descriptor* d = some_descriptor(true);
    if (!d) return "write: no writable descriptor";
    std::string data = bytes(size_t(pick(4) == 0 ? some_size() : int64_t(pick(5000))));
    std::string& content = d->file->data;
    // An O_APPEND descriptor's offset is the kernel's idea of the size, which may be stale: the
    // write lands at the end all the same.
    int64_t offset = int64_t(pick(content.size() + 1 + (pick(5) == 0 ? 9000 : 0)));
    EXPECT_EQ(fs_.write(d->fh, data.data(), data.size(), offset), int(data.size()));
    if (d->append) offset = int64_t(content.size());
    if (content.size() < size_t(offset) + data.size()) content.resize(size_t(offset) + data.size());
    content.replace(size_t(offset), data.size(), data);
    return "write " + std::to_string(data.size()) + " at " + std::to_string(offset);
  }

  std::string read() {
    Descriptor* d = some_descriptor(false);
    if (!d) return "read: no descriptor";
    const std::string& content = d->file->data;
    int64_t offset = int64_t(pick(content.size() + 2));
    size_t size = 1 + pick(200000);
    std::string buf(size, '\0');
    int n = testing::read_into(fs_, d->fh, buf.data(), size, offset);
    std::string expected = size_t(offset) < content.size() ? content.substr(size_t(offset), size)
                                                            : std::string();
    EXPECT_EQ(n, int(expected.size()));
    EXPECT_TRUE(n >= 0 && buf.compare(0, size_t(n), expected) == 0) << "bytes differ";
    return "read " + std::to_string(size) + " at " + std::to_string(offset);
  }

  std::string truncate() {
    int64_t size = pick(3) == 0 ? 0 : some_size();
    if (pick(2) == 0) {
      Descriptor* d = some_descriptor(true);
      if (!d) return "ftruncate: no writable descriptor";
      EXPECT_EQ(fs_.truncate(d->fh, size), 0);
      d->file->data.resize(size_t(size));
      return "ftruncate " + std::to_string(size);
    }
    // The kernel looks a name up before it calls the filesystem: only existing names come.
    std::string path = any_path();
    auto it = names_.find(path);
    if (it == names_.end()) return "truncate: no " + path;
    EXPECT_EQ(fs_.truncate(path, size), 0) << path;
    it->second->data.resize(size_t(size));
    published(path);
    return "truncate " + path + " " + std::to_string(size);
  }

  std::string flush() {
    Descriptor* d = some_descriptor(false);
    if (!d) return "flush: no descriptor";
    EXPECT_EQ(pick(2) ? fs_.flush(d->fh) : fs_.fsync(d->fh), 0);
    for (const auto& [path, file] : names_) {
      if (file == d->file && d->writable) published(path);
    }
    return "flush";
  }

  std::string release() {
    if (open_.empty()) return "release: nothing open";
    size_t i = pick(open_.size());
    Descriptor d = open_[i];
    open_.erase(open_.begin() + long(i));
    EXPECT_EQ(fs_.flush(d.fh), 0);
    EXPECT_EQ(fs_.release(d.fh), 0);
    // Nothing is lost: what the file holds is on DBFS once its last writer is gone.
    for (const auto& [path, file] : names_) {
      if (file == d.file && d.writable) published(path);
    }
    return "close";
  }

  std::string unlink() {
    std::string path = any_path();
    auto it = names_.find(path);
    if (it == names_.end()) return "unlink: no " + path;
    EXPECT_EQ(fs_.unlink(path), 0) << path;
    names_.erase(it);
    return "unlink " + path;
  }

  std::string rename() {
    std::string from = any_path(), to = any_path();
    auto it = names_.find(from);
    if (it == names_.end()) return "rename: no " + from;
    EXPECT_EQ(fs_.rename(from, to, 0), 0) << from << " -> " << to;
    auto file = it->second;
    names_.erase(it);
    names_[to] = file;
    return "rename " + from + " " + to;
  }

  std::string rename_directory() {
    std::string to = directory_ == "/d" ? "/e" : "/d";
    EXPECT_EQ(fs_.rename(directory_, to, 0), 0);
    std::map<std::string, std::shared_ptr<ModelFile>> moved;
    for (auto& [path, file] : names_) {
      moved[path.starts_with(directory_ + "/") ? to + path.substr(2) : path] = file;
    }
    names_ = std::move(moved);
    directory_ = to;
    return "rename " + to + "'s directory";
  }

  // The file at `path` is on DBFS as the model has it.
  void published(const std::string& path) {
    std::string out, chunk;
    for (int64_t offset = 0;; offset += kMiB) {
      int64_t n = store_.read(path, offset, kMiB, chunk);
      out += chunk;
      if (n < kMiB) break;
    }
    EXPECT_TRUE(out == names_[path]->data) << path << " on DBFS: " << out.size() << " bytes, "
                                           << names_[path]->data.size() << " expected";
  }

  void check() {
    for (const std::string& dir : {std::string("/"), directory_}) {
      std::vector<Filesystem::DirEntry> entries;
      ASSERT_EQ(fs_.readdir(dir, entries), 0) << dir;
      std::set<std::string> listed, expected;
      for (const auto& e : entries) {
        if (!S_ISDIR(e.st.st_mode)) listed.insert(e.name);
      }
      for (const auto& [path, file] : names_) {
        if (path.rfind('/') == (dir == "/" ? 0 : dir.size())) {
          if (path.starts_with(dir)) expected.insert(path.substr(path.rfind('/') + 1));
        }
      }
      EXPECT_EQ(listed, expected) << "listing of " << dir;
    }
    for (const auto& [path, file] : names_) {
      struct stat st;
      ASSERT_EQ(fs_.getattr(path, &st), 0) << path;
      EXPECT_EQ(st.st_size, int64_t(file->data.size())) << path;
    }
    for (const auto& d : open_) {
      struct stat st;
      ASSERT_EQ(fs_.getattr(d.fh, &st), 0);
      EXPECT_EQ(st.st_size, int64_t(d.file->data.size()));
      bool named = false;
      for (const auto& [path, file] : names_) named = named || file == d.file;
      EXPECT_EQ(st.st_nlink, named ? 1u : 0u);
    }
  }

  std::mt19937_64 rng_;
  Filesystem& fs_;
  emulator::Store& store_;
  std::string directory_ = "/d";
  std::map<std::string, std::shared_ptr<ModelFile>> names_;
  std::vector<Descriptor> open_;
};

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text ? std::strtoull(text, nullptr, 10) : fallback;
}

void run_sequence(uint64_t seed, int steps) {
  testing::ScratchStore scratch("reftest");
  FsOptions options;
  options.cache_dir = scratch.cache();
  options.staging_memory_bytes = 256 << 10;  // spill often
  options.staging_total_memory_bytes = 1 << 20;
  scratch.store->mkdirs("/d");
  Filesystem fs(*scratch.storage, options);
  Sequence sequence(seed, fs, *scratch.store);
  std::vector<std::string> trace;
  for (int i = 0; i < steps && !::testing::Test::HasFailure(); ++i) {
    trace.push_back(sequence.step());
  }
  sequence.release_all();
  // Every descriptor is closed: nothing hidden stays on DBFS, and the journal is settled.
  EXPECT_TRUE(fs.settled(std::chrono::seconds(10)));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(scratch.base / "root")) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".dbfs-fuse-")) << entry.path();
  }
  if (::testing::Test::HasFailure()) {
    std::string last;
    for (size_t i = trace.size() > 20 ? trace.size() - 20 : 0; i < trace.size(); ++i) {
      last += "\n  " + std::to_string(i) + ": " + trace[i];
    }
    ADD_FAILURE() << "replay with DBFS_REFTEST_SEED=" << seed << "; the last steps:" << last;
  }
}

TEST(ReferenceModel, RandomSequencesBehaveAsPosixPromises) {
  constexpr int kStepsPerSequence = 500;
  if (const char* seed = std::getenv("DBFS_REFTEST_SEED")) {
    run_sequence(std::strtoull(seed, nullptr, 10), kStepsPerSequence);
    return;
  }
  uint64_t steps = env_number("DBFS_REFTEST_STEPS", 10000);
  uint64_t first = std::random_device{}();
  for (uint64_t done = 0, seed = first; done < steps && !HasFailure();
       done += kStepsPerSequence, ++seed) {
    run_sequence(seed, kStepsPerSequence);
  }
}

}  // namespace
}  // namespace fs
