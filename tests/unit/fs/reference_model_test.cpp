// The filesystem core against a plain model of POSIX semantics, as the README promises them:
// seeded random sequences of create, open, write, read, truncate, rename, unlink, flush, fsync
// and release over a few paths and descriptors, run against the core over the emulator's Store
// in-process, and checked against the model after every step. Files removed or replaced while
// open stay readable through their descriptors; whatever a close published is on DBFS.
//
// Now and then a step runs with uploads failing (FaultyApi: an HTTP 500 or 503, EIO, for the
// whole step, so every attempt of the Uploader fails alike), and the model holds the core to
// what it promises then (docs/design.md, "When a file is published"): the close or fsync that
// uploaded returns EIO; DBFS holds the file's previous content, never a part of the new one;
// descriptors still read what was written, and the next successful close publishes it; a
// release that had to upload changes no close reported keeps them in cache_dir/unsaved/; and
// once the last descriptor is gone, the name shows what DBFS holds again.
//
//   DBFS_REFTEST_SEED=N   replay one sequence (the failure message names its seed)
//   DBFS_REFTEST_STEPS=N  steps in all (default 10000), in sequences of 500

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dbfs/api_error.h"
#include "fs/filesystem.h"
#include "fs/upload_names.h"
#include "scratch_store.h"

namespace fs {
namespace {

constexpr int64_t kMiB = 1 << 20;

// A file as POSIX sees it: its bytes, shared by every name and descriptor it has; and what the
// core owes DBFS of it.
struct ModelFile {
  std::string data;
  // What DBFS holds under its name: the content of its last successful upload (none yet: the
  // name is not on DBFS).
  std::optional<std::string> published;
  bool dirty = false;       // changed since that upload: the next close or fsync uploads
  bool unreported = false;  // changed since the last upload whose outcome a call returned
};

struct Descriptor {
  Filesystem::Handle fh = 0;
  std::shared_ptr<ModelFile> file;
  bool writable = false;
  bool append = false;
};

// The emulator's Store, counted, with uploads failing while a fault is armed. Only the calls of
// uploads fail: put, create, add-block, close, and a move out of an upload's temporary name.
// Every other move (rename, unlink of an open file, and a replace's moving aside and back) goes
// through, so namespace operations and the repair of a failed replace are never hit.
class FaultyApi : public testing::CountingApi {
 public:
  enum class Fault {
    kNone,
    kEveryUpload,  // every call of an upload fails: nothing reaches DBFS
    kMoveIn,       // the move into place fails, after a replace moved the old file aside
    kFromNth,      // the nth upload call of the step and all after it: partial temporary files
  };

  explicit FaultyApi(emulator::Store& store) : CountingApi(store), store_(store) {}

  // Relaxed, all of it: the test's thread arms and disarms, and what a streamed upload's thread
  // sees of it only decides whether that stream fails unseen. The test must not order the
  // core's threads itself, or ThreadSanitizer would miss races of the core between them.
  void arm(Fault fault, int status, int nth) {
    status_.store(status, kRelaxed);
    nth_.store(nth, kRelaxed);
    calls_.store(0, kRelaxed);
    fault_.store(fault, kRelaxed);
  }
  void disarm() { fault_.store(Fault::kNone, kRelaxed); }
  Fault fault() const { return fault_.load(kRelaxed); }

  void put(const std::string& p, std::string_view c, bool o) override {
    upload_call("put");
    CountingApi::put(p, c, o);
  }
  int64_t create(const std::string& p, bool o) override {
    upload_call("create");
    return CountingApi::create(p, o);
  }
  void add_block(int64_t h, std::string_view d) override {
    upload_call("add-block");
    CountingApi::add_block(h, d);
  }
  void close(int64_t h) override {
    upload_call("close");
    CountingApi::close(h);
  }
  void move(const std::string& s, const std::string& d) override {
    std::string_view name = s;
    name = name.substr(name.rfind('/') + 1);
    if (name.starts_with(upload_names::kUploadPrefix)) {
      // Onto an existing file the move is refused anyway (RESOURCE_ALREADY_EXISTS), which sends
      // the replace through moving the old file aside: the move after that is the one to fail.
      if (fault() != Fault::kMoveIn || !exists(d)) upload_call("move");
    }
    CountingApi::move(s, d);
  }

 private:
  // Called from the test's thread and from streamed uploads' threads alike.
  void upload_call(const char* op) {
    bool fail = false;
    switch (fault()) {
      case Fault::kNone: break;
      case Fault::kEveryUpload: fail = true; break;
      case Fault::kMoveIn: fail = std::string_view(op) == "move"; break;
      case Fault::kFromNth: fail = calls_.fetch_add(1, kRelaxed) + 1 >= nth_.load(kRelaxed); break;
    }
    if (fail) {
      throw dbfs::ApiError::http(op, status_.load(kRelaxed), "INJECTED", "injected upload failure");
    }
  }
  bool exists(const std::string& path) {
    try {
      store_.get_status(path);
      return true;
    } catch (const dbfs::ApiError&) {
      return false;
    }
  }

  static constexpr auto kRelaxed = std::memory_order_relaxed;
  emulator::Store& store_;
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> status_{500};
  std::atomic<int> nth_{1};
  std::atomic<int> calls_{0};
};

class Sequence {
 public:
  Sequence(uint64_t seed, Filesystem& fs, emulator::Store& store, FaultyApi& api,
           std::filesystem::path unsaved)
      : rng_(seed), fs_(fs), store_(store), api_(api), unsaved_(std::move(unsaved)) {}

  // One random operation, then every check. Returns a description of the step for the trace.
  std::string step() {
    std::string fault = maybe_fail_uploads();
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
    api_.disarm();
    check();
    return what + fault;
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

  // One step in four runs with uploads failing, whatever the step is: a write's streamed upload
  // fails unseen (the close uploads whole), a close's or a release's upload fails for all of its
  // attempts.
  std::string maybe_fail_uploads() {
    if (pick(4) != 0) return "";
    static const FaultyApi::Fault kFaults[] = {
        FaultyApi::Fault::kEveryUpload, FaultyApi::Fault::kEveryUpload, FaultyApi::Fault::kMoveIn,
        FaultyApi::Fault::kFromNth, FaultyApi::Fault::kFromNth};
    auto fault = kFaults[pick(5)];
    int status = pick(2) ? 503 : 500;  // retried from create, or not: EIO both
    int nth = 1 + int(pick(6));  // up to the move of a two-block upload
    api_.arm(fault, status, nth);
    switch (fault) {
      case FaultyApi::Fault::kEveryUpload: return " (uploads fail: " + std::to_string(status) + ")";
      case FaultyApi::Fault::kMoveIn: return " (moves into place fail: " + std::to_string(status) + ")";
      default:
        return " (upload calls fail from the " + std::to_string(nth) + ". on: " +
               std::to_string(status) + ")";
    }
  }

  // Whether an upload of `size` bytes fails now: 1 yes, 0 no, -1 it depends on how many calls
  // the step made before it (kFromNth).
  int upload_fails(size_t size) const {
    switch (api_.fault()) {
      case FaultyApi::Fault::kNone: return 0;
      case FaultyApi::Fault::kEveryUpload: return 1;
      case FaultyApi::Fault::kMoveIn: return int64_t(size) > kMiB;  // smaller ones: one put
      case FaultyApi::Fault::kFromNth: return -1;
    }
    return -1;
  }

  // The name `file` goes by, or "" once removed.
  std::string name_of(const std::shared_ptr<ModelFile>& file) const {
    for (const auto& [path, f] : names_) {
      if (f == file) return path;
    }
    return "";
  }
  bool open_anywhere(const std::shared_ptr<ModelFile>& file) const {
    return std::any_of(open_.begin(), open_.end(), [&](const Descriptor& d) { return d.file == file; });
  }
  static void changed(ModelFile& file) { file.dirty = file.unreported = true; }

  std::string create_or_open() {
    std::string path = any_path();
    Descriptor d;
    auto it = names_.find(path);
    if (it == names_.end()) {
      EXPECT_EQ(fs_.create(path, O_RDWR | O_CREAT, &d.fh), 0) << path;
      d.file = std::make_shared<ModelFile>();
      changed(*d.file);
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
    if (flags & O_TRUNC) {
      d.file->data.clear();
      changed(*d.file);
    }
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
    changed(*d->file);
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
      changed(*d->file);
      return "ftruncate " + std::to_string(size);
    }
    // The kernel looks a name up before it calls the filesystem: only existing names come.
    std::string path = any_path();
    auto it = names_.find(path);
    if (it == names_.end()) return "truncate: no " + path;
    auto file = it->second;
    int rc = fs_.truncate(path, size);
    file->data.resize(size_t(size));
    changed(*file);
    uploaded(file, path, rc);
    closed(file);  // with no descriptor open, a failed truncate leaves nothing behind
    return "truncate " + path + " " + std::to_string(size) + " = " + std::to_string(rc);
  }

  std::string flush() {
    Descriptor* d = some_descriptor(false);
    if (!d) return "flush: no descriptor";
    bool close = pick(2);
    // A close publishes what its descriptor may publish; fsync whatever the file holds.
    std::string path = name_of(d->file);
    bool publishes = !path.empty() && (!close || d->writable);
    bool uploads = publishes && d->file->dirty;
    int rc = close ? fs_.flush(d->fh) : fs_.fsync(d->fh);
    if (uploads) {
      uploaded(d->file, path, rc);
    } else {
      EXPECT_EQ(rc, 0);
      if (publishes) published(path);
    }
    return std::string(close ? "flush" : "fsync") + " = " + std::to_string(rc);
  }

  std::string release() {
    if (open_.empty()) return "release: nothing open";
    size_t i = pick(open_.size());
    Descriptor d = open_[i];
    open_.erase(open_.begin() + long(i));
    // Now and then no close comes first (a process that inherited the descriptor closed it):
    // the release publishes what no close reported.
    bool close = pick(3) != 0;
    std::string path = name_of(d.file);
    std::string what = close ? "close" : "release";
    if (close) {
      int rc = fs_.flush(d.fh);
      if (!path.empty() && d.writable && d.file->dirty) {
        uploaded(d.file, path, rc);
      } else {
        EXPECT_EQ(rc, 0);
      }
      what += " = " + std::to_string(rc);
    }
    bool last_writer = d.writable && std::none_of(open_.begin(), open_.end(), [&](auto& other) {
      return other.file == d.file && other.writable;
    });
    bool uploads = last_writer && !path.empty() && d.file->dirty && d.file->unreported;
    std::set<std::filesystem::path> kept_before = unsaved_files();
    EXPECT_EQ(fs_.release(d.fh), 0);
    if (uploads) uploaded_at_release(d.file, path, kept_before);
    if (d.writable && !path.empty() && !d.file->dirty) published(path);
    closed(d.file);
    return what;
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

  std::optional<std::string> on_dbfs(const std::string& path) {
    return testing::on_dbfs(store_, path);
  }

  // The file at `path` is on DBFS as the model has it.
  void published(const std::string& path) {
    std::optional<std::string> out = on_dbfs(path);
    const std::string& data = names_[path]->data;
    EXPECT_TRUE(out == data) << path << " on DBFS: "
                             << (out ? std::to_string(out->size()) + " bytes, " : "nothing, ")
                             << data.size() << " expected";
  }

  // A close, fsync or truncate uploaded `file`, named `path`, and returned `rc`.
  void uploaded(const std::shared_ptr<ModelFile>& file, const std::string& path, int rc) {
    file->unreported = false;
    int fails = upload_fails(file->data.size());
    if (fails == 1) EXPECT_EQ(rc, -EIO) << "an upload that could not succeed";
    if (fails == 0) EXPECT_EQ(rc, 0) << "an upload that nothing failed";
    if (rc == 0) {
      published(path);
      file->published = file->data;
      file->dirty = false;
      return;
    }
    EXPECT_EQ(rc, -EIO) << "a failed upload's error";
    upload_failed(file, path);
  }

  // The release of the last writer uploaded `file`, named `path`, which no close had reported:
  // failed, a copy of it is the one new file in unsaved/.
  void uploaded_at_release(const std::shared_ptr<ModelFile>& file, const std::string& path,
                           const std::set<std::filesystem::path>& kept_before) {
    file->unreported = false;
    std::vector<std::filesystem::path> kept;
    for (const auto& p : unsaved_files()) {
      if (!kept_before.count(p)) kept.push_back(p);
    }
    int fails = upload_fails(file->data.size());
    if (fails == 1) EXPECT_EQ(kept.size(), 1u) << "an upload that could not succeed";
    if (fails == 0) EXPECT_EQ(kept.size(), 0u) << "an upload that nothing failed";
    if (kept.empty()) {
      published(path);
      file->published = file->data;
      file->dirty = false;
      return;
    }
    ASSERT_EQ(kept.size(), 1u) << "one release keeps one copy";
    std::ifstream in(kept[0], std::ios::binary);
    std::string copy((std::istreambuf_iterator<char>(in)), {});
    EXPECT_TRUE(copy == file->data) << kept[0] << ": " << copy.size() << " bytes, "
                                    << file->data.size() << " expected";
    upload_failed(file, path);
  }

  // An upload of `file` failed: DBFS holds what it held, or all of the new content (never a
  // part, nor nothing where there was something), and descriptors read what was written.
  void upload_failed(const std::shared_ptr<ModelFile>& file, const std::string& path) {
    std::optional<std::string> out = on_dbfs(path);
    bool old = out == file->published, whole = out == file->data;
    EXPECT_TRUE(old || whole) << path << " on DBFS after a failed upload: "
                              << (out ? std::to_string(out->size()) + " bytes" : "nothing")
                              << ", neither the old content ("
                              << (file->published ? std::to_string(file->published->size()) + " bytes"
                                                  : "nothing")
                              << ") nor the new (" << file->data.size() << " bytes)";
    if (!old && whole) file->published = file->data;
    for (const auto& d : open_) {
      if (d.file != file) continue;
      std::string buf(file->data.size() + 1, '\0');
      int n = testing::read_into(fs_, d.fh, buf.data(), buf.size(), 0);
      EXPECT_TRUE(n == int(file->data.size()) && buf.compare(0, size_t(n), file->data) == 0)
          << "a descriptor of " << path << " reads " << n << " bytes after a failed upload, "
          << file->data.size() << " written";
      break;
    }
  }

  // No descriptor of `file` may be left: then a change no upload took is dropped with its node
  // (its close, fsync or truncate returned the error), and the name shows what DBFS holds.
  void closed(const std::shared_ptr<ModelFile>& file) {
    if (open_anywhere(file) || !file->dirty) return;
    file->dirty = file->unreported = false;
    if (file->published) {
      file->data = *file->published;
    } else {
      std::erase_if(names_, [&](const auto& entry) { return entry.second == file; });
    }
  }

  std::set<std::filesystem::path> unsaved_files() const {
    std::set<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(unsaved_, ec)) {
      files.insert(entry.path());
    }
    return files;
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
  FaultyApi& api_;
  std::filesystem::path unsaved_;
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
  FaultyApi api(*scratch.store);
  DbfsStorage storage(api);
  FsOptions options;
  options.cache_dir = scratch.cache();
  options.staging_memory_bytes = 256 << 10;  // spill often
  options.staging_total_memory_bytes = 1 << 20;
  options.upload_attempts = 2;  // a 503 restarts an upload once
  scratch.store->mkdirs("/d");
  Filesystem fs(storage, options);
  Sequence sequence(seed, fs, *scratch.store, api, scratch.base / "cache" / "unsaved");
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
