// The filesystem core against the emulator's Store, in-process: data round trips and the exact
// API calls each POSIX operation costs.

#include "fs/filesystem.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <utility>

#include "counting_api.h"
#include "scratch_store.h"
#include "dbfs/api_error.h"
#include "emulator/store.h"

namespace fs {
namespace {

constexpr int64_t MiB = 1 << 20;

using testing::random_bytes;

class FilesystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<testing::ScratchStore>("fs-test");
    base_ = scratch_->base;
    store_ = scratch_->store.get();
    api_ = scratch_->api.get();
    FsOptions options;
    options.cache_dir = scratch_->cache();
    options.staging_memory_bytes = 2 * MiB;
    fs_ = std::make_unique<Filesystem>(*scratch_->storage, options);
  }
  void TearDown() override {
    fs_.reset();
    scratch_.reset();
  }

  std::string on_disk(const std::string& rel) {
    std::ifstream in(base_ / "root" / rel, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Writes `data` as a new file in `chunk`-sized writes and closes it; returns flush's result.
  int write_file(const std::string& path, const std::string& data, size_t chunk = 128 << 10) {
    Filesystem::Handle fh;
    EXPECT_EQ(fs_->create(path, O_WRONLY | O_CREAT | O_TRUNC, &fh), 0);
    for (size_t off = 0; off < data.size(); off += chunk) {
      size_t n = std::min(chunk, data.size() - off);
      EXPECT_EQ(fs_->write(fh, data.data() + off, n, int64_t(off)), int(n));
    }
    int rc = fs_->flush(fh);
    fs_->release(fh);
    return rc;
  }

  std::string read_file(const std::string& path) {
    Filesystem::Handle fh;
    bool keep;
    EXPECT_EQ(fs_->open(path, O_RDONLY, &fh, &keep), 0);
    std::string out;
    std::string buf(300 << 10, '\0');
    for (;;) {
      int n = testing::read_into(*fs_, fh, buf.data(), buf.size(), int64_t(out.size()));
      EXPECT_GE(n, 0);
      if (n <= 0) break;
      out.append(buf.data(), size_t(n));
    }
    fs_->release(fh);
    return out;
  }

  std::unique_ptr<testing::ScratchStore> scratch_;
  std::filesystem::path base_;
  emulator::Store* store_ = nullptr;
  testing::CountingApi* api_ = nullptr;
  std::unique_ptr<Filesystem> fs_;
};

TEST_F(FilesystemTest, ASmallFileIsOnePut) {
  api_->reset();
  ASSERT_EQ(write_file("/small", std::string(4096, 'a')), 0);
  EXPECT_EQ(api_->count("put"), 1);
  EXPECT_EQ(api_->total(), 1);
  EXPECT_EQ(on_disk("small"), std::string(4096, 'a'));
}

TEST_F(FilesystemTest, AnEmptyNewFileIsCreatedOnDbfs) {
  ASSERT_EQ(write_file("/empty", ""), 0);
  EXPECT_TRUE(std::filesystem::exists(base_ / "root" / "empty"));
  EXPECT_EQ(on_disk("empty"), "");
}

TEST_F(FilesystemTest, ALargeFileStreamsFullBlocksToATemporaryNameThenMovesIntoPlace) {
  std::string data = random_bytes(10 * MiB + 123, 1);
  api_->reset();
  ASSERT_EQ(write_file("/big", data), 0);
  EXPECT_EQ(api_->count("create"), 1);
  EXPECT_EQ(api_->count("add-block"), 11);
  EXPECT_EQ(api_->count("close"), 1);
  EXPECT_EQ(api_->count("move"), 1);
  EXPECT_EQ(api_->count("put"), 0);
  EXPECT_EQ(on_disk("big"), data);
  for (auto& entry : std::filesystem::directory_iterator(base_ / "root")) {
    // No temporary upload left behind.
    EXPECT_FALSE(entry.path().filename().string().starts_with(".dbfs-fuse-upload."));
  }
}

TEST_F(FilesystemTest, RandomWritesAndReadsOfAFileBeingWrittenSeeTheStagedBytes) {
  std::string data = random_bytes(3 * MiB, 2);
  Filesystem::Handle fh;
  ASSERT_EQ(fs_->create("/r", O_RDWR, &fh), 0);
  // Back to front, so nothing can stream.
  for (int64_t off = int64_t(data.size()) - MiB; off >= 0; off -= MiB) {
    ASSERT_EQ(fs_->write(fh, data.data() + off, MiB, off), MiB);
  }
  std::string buf(100, '\0');
  ASSERT_EQ(testing::read_into(*fs_, fh, buf.data(), 100, MiB + 7), 100);
  EXPECT_EQ(buf, data.substr(MiB + 7, 100));
  ASSERT_EQ(fs_->flush(fh), 0);
  fs_->release(fh);
  EXPECT_EQ(on_disk("r"), data);
}

TEST_F(FilesystemTest, RewritingStreamedBytesFallsBackToAWholeUpload) {
  std::string data = random_bytes(4 * MiB, 3);
  Filesystem::Handle fh;
  ASSERT_EQ(fs_->create("/w", O_RDWR, &fh), 0);
  ASSERT_EQ(fs_->write(fh, data.data(), data.size(), 0), int(data.size()));
  data[5] = 'Z';
  ASSERT_EQ(fs_->write(fh, "Z", 1, 5), 1);
  ASSERT_EQ(fs_->flush(fh), 0);
  fs_->release(fh);
  EXPECT_EQ(on_disk("w"), data);
}

TEST_F(FilesystemTest, ReadsAreByteIdenticalAtEveryBoundary) {
  for (int64_t size : {int64_t(0), int64_t(1), MiB - 1, MiB, MiB + 1, 3 * MiB + 17}) {
    std::string name = "/f" + std::to_string(size);
    std::string data = random_bytes(size_t(size), unsigned(size));
    store_->put(name, "", true);
    ASSERT_EQ(write_file(name, data), 0) << size;
    EXPECT_EQ(read_file(name), data) << size;
  }
}

TEST_F(FilesystemTest, ASequentialReadFetchesEachBlockOnce) {
  std::string data = random_bytes(20 * MiB, 4);
  ASSERT_EQ(write_file("/seq", data), 0);
  fs_ = nullptr;  // a fresh core: nothing cached
  FsOptions options;
  options.cache_dir = (base_ / "cache").string();
  fs_ = std::make_unique<Filesystem>(*scratch_->storage, options);
  api_->reset();
  EXPECT_EQ(read_file("/seq"), data);
  EXPECT_EQ(api_->count("read"), 20);
  EXPECT_EQ(api_->count("get-status"), 1);
}

// A read the kernel will cache (dbfs-fuse's read_buf) that covers one whole block of a file
// larger than the block cache gets the block's memory itself, and the cache lets it go; any
// other read is copied and keeps it.
TEST_F(FilesystemTest, AWholeBlockReadHandsTheBlockOverAndOthersAreCopied) {
  std::string data = random_bytes(3 * MiB + 100, 6);
  ASSERT_EQ(write_file("/whole", data), 0);
  fs_ = nullptr;  // a core with a 2 MiB cache, which the file does not fit in
  FsOptions options;
  options.cache_dir = (base_ / "cache").string();
  options.block_cache_bytes = 2 * MiB;
  fs_ = std::make_unique<Filesystem>(*scratch_->storage, options);
  Filesystem::Handle fh;
  bool keep;
  ASSERT_EQ(fs_->open("/whole", O_RDONLY, &fh, &keep), 0);
  // The block itself: the cache no longer holds it.
  Filesystem::ReadResult whole = fs_->read(fh, MiB, MiB, /*page_cached=*/true);
  ASSERT_EQ(whole.error, 0);
  EXPECT_EQ(whole.bytes.view(), std::string_view(data).substr(MiB, MiB));
  EXPECT_EQ(fs_->stats().blocks.taken, 1u);
  // Part of a block: copied, nothing handed over.
  Filesystem::ReadResult part = fs_->read(fh, 4096, 2 * MiB + 8, true);
  EXPECT_EQ(part.bytes.view(), std::string_view(data).substr(2 * MiB + 8, 4096));
  EXPECT_EQ(fs_->stats().blocks.taken, 1u);
  // The short last block, read whole.
  Filesystem::ReadResult tail = fs_->read(fh, MiB, 3 * MiB, true);
  EXPECT_EQ(tail.bytes.view(), std::string_view(data).substr(3 * MiB));
  EXPECT_EQ(fs_->stats().blocks.taken, 2u);
  // A block handed over is fetched again if asked for again; O_DIRECT (not page cached) copies.
  api_->reset();
  Filesystem::ReadResult again = fs_->read(fh, MiB, MiB, /*page_cached=*/false);
  EXPECT_EQ(again.bytes.view(), std::string_view(data).substr(MiB, MiB));
  EXPECT_EQ(api_->count("read"), 1);
  EXPECT_EQ(fs_->stats().blocks.taken, 2u);
  fs_->release(fh);
}

TEST_F(FilesystemTest, AFileThatFitsInTheCacheStaysThere) {
  std::string data = random_bytes(2 * MiB, 7);
  ASSERT_EQ(write_file("/fits", data), 0);
  Filesystem::Handle fh;
  bool keep;
  ASSERT_EQ(fs_->open("/fits", O_RDONLY, &fh, &keep), 0);
  Filesystem::ReadResult first = fs_->read(fh, MiB, 0, /*page_cached=*/true);
  EXPECT_EQ(first.bytes.view(), std::string_view(data).substr(0, MiB));
  EXPECT_EQ(fs_->stats().blocks.taken, 0u);
  api_->reset();
  Filesystem::ReadResult again = fs_->read(fh, MiB, 0, true);
  EXPECT_EQ(again.bytes.view(), std::string_view(data).substr(0, MiB));
  EXPECT_EQ(api_->count("read"), 0);
  fs_->release(fh);
}

TEST_F(FilesystemTest, ARandomReaderFetchesOnlyWhatItReads) {
  std::string data = random_bytes(20 * MiB, 5);
  store_->put("/rnd", "", true);
  ASSERT_EQ(write_file("/rnd", data), 0);
  Filesystem::Handle fh;
  bool keep;
  ASSERT_EQ(fs_->open("/rnd", O_RDONLY, &fh, &keep), 0);
  api_->reset();
  std::string buf(4096, '\0');
  for (int64_t off : {int64_t(15) * MiB + 5, 3 * MiB, 11 * MiB + 4096, 7 * MiB}) {
    ASSERT_EQ(testing::read_into(*fs_, fh, buf.data(), buf.size(), off), 4096);
    EXPECT_EQ(buf, data.substr(size_t(off), 4096));
  }
  fs_->release(fh);
  // The first far jump might still be a scan starting elsewhere: it gets its block; after
  // that, only what is read.
  EXPECT_EQ(api_->count("read"), 4);
  EXPECT_EQ(api_->read_bytes, MiB + 3 * 4096);
}

// A server whose read answers hold more bytes than were asked for.
class OverlongReads : public testing::CountingApi {
 public:
  using CountingApi::CountingApi;
  int64_t read(const std::string& p, int64_t off, int64_t len, std::string& out) override {
    int64_t n = CountingApi::read(p, off, len, out);
    out.append(65536, 'X');
    return n + 65536;
  }
};

TEST_F(FilesystemTest, AnAnswerLongerThanAskedFailsTheReadBeforeAByteIsCopied) {
  ASSERT_EQ(write_file("/long", random_bytes(20 * MiB, 6)), 0);
  OverlongReads hostile(*store_);
  FsOptions options;
  options.cache_dir = scratch_->cache();
  DbfsStorage storage(hostile);
  Filesystem fs(storage, options);
  Filesystem::Handle fh;
  bool keep;
  ASSERT_EQ(fs.open("/long", O_RDONLY, &fh, &keep), 0);
  std::vector<char> buf(4096);
  // The first read takes the block path, the later ones (far jumps) the random reader's.
  for (int64_t off : {int64_t(15) * MiB + 5, 3 * MiB, 11 * MiB + 4096, 7 * MiB}) {
    EXPECT_EQ(testing::read_into(fs, fh, buf.data(), buf.size(), off), -EIO);
  }
  fs.release(fh);
}

TEST_F(FilesystemTest, AppendingToAnExistingFileKeepsItsContent) {
  ASSERT_EQ(write_file("/log", "line one\n"), 0);
  Filesystem::Handle fh;
  bool keep;
  ASSERT_EQ(fs_->open("/log", O_WRONLY | O_APPEND, &fh, &keep), 0);
  ASSERT_EQ(fs_->write(fh, "line two\n", 9, 9), 9);
  ASSERT_EQ(fs_->flush(fh), 0);
  fs_->release(fh);
  EXPECT_EQ(on_disk("log"), "line one\nline two\n");
}

TEST_F(FilesystemTest, ClosingAnUnchangedFileUploadsNothing) {
  ASSERT_EQ(write_file("/same", "abc"), 0);
  api_->reset();
  Filesystem::Handle fh;
  bool keep;
  ASSERT_EQ(fs_->open("/same", O_RDWR, &fh, &keep), 0);
  ASSERT_EQ(fs_->flush(fh), 0);
  fs_->release(fh);
  EXPECT_EQ(api_->total(), 0);
}

TEST_F(FilesystemTest, TruncateByNameUploadsAtOnce) {
  ASSERT_EQ(write_file("/t", "0123456789"), 0);
  ASSERT_EQ(fs_->truncate(std::string("/t"), 4), 0);
  EXPECT_EQ(on_disk("t"), "0123");
  ASSERT_EQ(fs_->truncate(std::string("/t"), 6), 0);
  EXPECT_EQ(on_disk("t"), std::string("0123\0\0", 6));
}

TEST_F(FilesystemTest, AnUnlinkedOpenFileIsNeverBroughtBack) {
  Filesystem::Handle fh;
  ASSERT_EQ(fs_->create("/u", O_RDWR, &fh), 0);
  ASSERT_EQ(fs_->write(fh, "data", 4, 0), 4);
  ASSERT_EQ(fs_->unlink("/u"), 0);
  ASSERT_EQ(fs_->write(fh, "more", 4, 4), 4);
  EXPECT_EQ(fs_->flush(fh), 0);
  fs_->release(fh);
  EXPECT_FALSE(std::filesystem::exists(base_ / "root" / "u"));
  struct stat st;
  EXPECT_EQ(fs_->getattr("/u", &st), -ENOENT);
}

// libfuse renames an open target to a hidden alias before a rename replaces it. When that rename
// fails, the target must be there again, as a failed rename(2) leaves it: whether its content
// was only on DBFS (set aside for the reader) or staged here.
TEST_F(FilesystemTest, AFailedRenameOverAnOpenFileLeavesTheTargetAsItWas) {
  ASSERT_EQ(write_file("/kept", "old content"), 0);
  ASSERT_EQ(write_file("/src", "new content"), 0);
  Filesystem::Handle reader, writer;
  bool keep;
  ASSERT_EQ(fs_->open("/kept", O_RDONLY, &reader, &keep), 0);
  ASSERT_EQ(fs_->create("/staged", O_RDWR, &writer), 0);
  ASSERT_EQ(fs_->write(writer, "local", 5, 0), 5);
  for (const char* target : {"/kept", "/staged"}) {
    std::string alias = std::string("/.fuse_hidden") + (target[1] == 'k' ? "0000000000000001"
                                                                         : "0000000000000002");
    ASSERT_EQ(fs_->rename(target, alias, 0), 0) << target;  // the hide
    bool failed_once = false;  // the rename's move fails; moving the old file back works
    api_->before = [&](const std::string& op) {
      if (op != "move" || std::exchange(failed_once, true)) return;
      throw dbfs::ApiError::http("move", 500, "INTERNAL_ERROR", "broken");
    };
    EXPECT_EQ(fs_->rename("/src", target, 0), -EIO) << target;
    api_->before = nullptr;
    struct stat st;
    EXPECT_EQ(fs_->getattr(target, &st), 0) << target;
  }
  EXPECT_EQ(on_disk("kept"), "old content");
  char buf[32];
  EXPECT_EQ(testing::read_into(*fs_, reader, buf, sizeof buf, 0), 11);
  EXPECT_EQ(fs_->flush(writer), 0);  // the staged file is published again
  EXPECT_EQ(on_disk("staged"), "local");
  fs_->release(reader);
  fs_->release(writer);
  EXPECT_EQ(on_disk("kept"), "old content");
  EXPECT_EQ(on_disk("src"), "new content");
  EXPECT_TRUE(fs_->settled(std::chrono::seconds(5)));
}

TEST_F(FilesystemTest, RenameOfAFileWithStagedDataLandsUnderTheNewName) {
  Filesystem::Handle fh;
  ASSERT_EQ(fs_->create("/a", O_RDWR, &fh), 0);
  ASSERT_EQ(fs_->write(fh, "payload", 7, 0), 7);
  ASSERT_EQ(fs_->rename("/a", "/b", 0), 0);
  ASSERT_EQ(fs_->flush(fh), 0);
  fs_->release(fh);
  EXPECT_EQ(on_disk("b"), "payload");
  EXPECT_FALSE(std::filesystem::exists(base_ / "root" / "a"));
}

TEST_F(FilesystemTest, RenameReplacesAFileAndRefusesANonEmptyDirectory) {
  ASSERT_EQ(write_file("/x", "new"), 0);
  ASSERT_EQ(write_file("/y", "old"), 0);
  ASSERT_EQ(fs_->rename("/x", "/y", 0), 0);
  EXPECT_EQ(on_disk("y"), "new");
  EXPECT_FALSE(std::filesystem::exists(base_ / "root" / "x"));

  ASSERT_EQ(fs_->mkdir("/d1"), 0);
  ASSERT_EQ(fs_->mkdir("/d2"), 0);
  ASSERT_EQ(write_file("/d2/keep", "k"), 0);
  EXPECT_EQ(fs_->rename("/d1", "/d2", 0), -ENOTEMPTY);
  EXPECT_EQ(fs_->rename("/y", "/d1", 0), -EISDIR);
  EXPECT_EQ(fs_->rename("/d1", "/y", 0), -ENOTDIR);
  EXPECT_EQ(fs_->rename("/y", "/d1", Filesystem::kExchange), -EINVAL);
  ASSERT_EQ(write_file("/z", "z"), 0);
  EXPECT_EQ(fs_->rename("/z", "/y", Filesystem::kNoReplace), -EEXIST);
}

TEST_F(FilesystemTest, ListingFillsAttributesSoStatCostsNothing) {
  for (int i = 0; i < 50; ++i) store_->put("/dir/f" + std::to_string(i), "x", true);
  api_->reset();
  std::vector<Filesystem::DirEntry> entries;
  ASSERT_EQ(fs_->readdir("/dir", entries), 0);
  EXPECT_EQ(entries.size(), 50u);
  struct stat st;
  for (auto& e : entries) ASSERT_EQ(fs_->getattr("/dir/" + e.name, &st), 0);
  EXPECT_EQ(fs_->getattr("/dir/missing", &st), -ENOENT);
  ASSERT_EQ(fs_->readdir("/dir", entries), 0);
  EXPECT_EQ(api_->count("list"), 1);
  EXPECT_EQ(api_->total(), 1);
}

TEST_F(FilesystemTest, StatingNameAfterNameListsTheDirectoryOnce) {
  for (int i = 0; i < 30; ++i) store_->put("/many/f" + std::to_string(i), "x", true);
  api_->reset();
  struct stat st;
  for (int i = 0; i < 30; ++i) ASSERT_EQ(fs_->getattr("/many/f" + std::to_string(i), &st), 0);
  EXPECT_EQ(fs_->getattr("/many/none", &st), -ENOENT);
  EXPECT_EQ(api_->count("list"), 1);
  EXPECT_EQ(api_->count("get-status"), 1);
}

TEST_F(FilesystemTest, WriteThenRenameKeepsTheListingsFresh) {
  ASSERT_EQ(fs_->mkdir("/sync"), 0);
  std::vector<Filesystem::DirEntry> entries;
  ASSERT_EQ(fs_->readdir("/sync", entries), 0);
  api_->reset();
  struct stat st;
  for (int i = 0; i < 5; ++i) {
    std::string final_name = "/sync/file" + std::to_string(i), temp = "/sync/.file.tmp";
    ASSERT_EQ(fs_->getattr(final_name, &st), -ENOENT);
    ASSERT_EQ(write_file(temp, "content"), 0);
    ASSERT_EQ(fs_->rename(temp, final_name, 0), 0);
    ASSERT_EQ(fs_->getattr(final_name, &st), 0);
  }
  ASSERT_EQ(fs_->readdir("/sync", entries), 0);
  EXPECT_EQ(entries.size(), 5u);
  EXPECT_EQ(api_->count("put"), 5);
  EXPECT_EQ(api_->count("move"), 5);
  EXPECT_EQ(api_->total(), 10);
}

TEST_F(FilesystemTest, AMissingNameCostsOneCall) {
  struct stat st;
  api_->reset();
  EXPECT_EQ(fs_->getattr("/nope", &st), -ENOENT);
  EXPECT_EQ(fs_->getattr("/nope", &st), -ENOENT);
  EXPECT_EQ(api_->total(), 1);
}

TEST_F(FilesystemTest, RmdirOfANonEmptyDirectoryIsEnotempty) {
  ASSERT_EQ(fs_->mkdir("/full"), 0);
  ASSERT_EQ(write_file("/full/f", "x"), 0);
  EXPECT_EQ(fs_->rmdir("/full"), -ENOTEMPTY);
  ASSERT_EQ(fs_->unlink("/full/f"), 0);
  EXPECT_EQ(fs_->rmdir("/full"), 0);
}

TEST_F(FilesystemTest, TemporaryUploadNamesAreHiddenFromListings) {
  store_->put("/h/.dbfs-fuse-upload.0123456789abcdef", "partial", true);
  store_->put("/h/real", "r", true);
  std::vector<Filesystem::DirEntry> entries;
  ASSERT_EQ(fs_->readdir("/h", entries), 0);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "real");
}

TEST_F(FilesystemTest, AFailedUploadIsReportedByFlushAndLeavesTheOldContent) {
  ASSERT_EQ(write_file("/keep", random_bytes(3 * MiB, 9)), 0);
  std::string old = on_disk("keep");
  api_->before = [](const std::string& op) {
    if (op == "add-block") throw dbfs::ApiError::http("add-block", 500, "INTERNAL_ERROR", "broken");
  };
  EXPECT_EQ(write_file("/keep", random_bytes(3 * MiB, 10)), -EIO);
  api_->before = nullptr;
  EXPECT_EQ(on_disk("keep"), old);
}

dbfs::ApiError no_answer(const std::string& op) {
  return dbfs::ApiError::timeout(op, dbfs::ApiError::kTimedOut, "no answer", true);
}

TEST_F(FilesystemTest, AnAddBlockLostBeforeItAppliedIsSentAgain) {
  std::string data = random_bytes(5 * MiB, 11);
  int add_blocks = 0;
  api_->before = [&](const std::string& op) {
    if (op == "add-block" && ++add_blocks == 3) throw no_answer(op);
  };
  api_->reset();
  ASSERT_EQ(write_file("/amb", data), 0);
  api_->before = nullptr;
  EXPECT_EQ(on_disk("amb"), data);
  EXPECT_EQ(api_->count("create"), 1);
  EXPECT_EQ(api_->count("add-block"), 6);
}

// Applied, then the answer lost: the file's size shows it went through; it is not sent twice.
class AppliedThenLostApi : public testing::CountingApi {
 public:
  using CountingApi::CountingApi;
  int lose_add_block = 0;  // which add-block loses its answer
  void add_block(int64_t h, std::string_view d) override {
    CountingApi::add_block(h, d);
    if (count("add-block") == lose_add_block) throw no_answer("add-block");
  }
};

TEST_F(FilesystemTest, AnAddBlockAppliedThenLostIsNotSentTwice) {
  AppliedThenLostApi api(*store_);
  api.lose_add_block = 2;
  FsOptions options;
  options.cache_dir = (base_ / "cache").string();
  DbfsStorage storage(api);
  Filesystem fs(storage, options);
  std::string data = random_bytes(4 * MiB, 12);
  Filesystem::Handle fh;
  ASSERT_EQ(fs.create("/lost", O_WRONLY, &fh), 0);
  ASSERT_EQ(fs.write(fh, data.data(), data.size(), 0), int(data.size()));
  ASSERT_EQ(fs.flush(fh), 0);
  fs.release(fh);
  EXPECT_EQ(on_disk("lost"), data);
  EXPECT_EQ(api.count("add-block"), 4);
  EXPECT_EQ(api.count("create"), 1);
}

TEST_F(FilesystemTest, WhereNothingShowsBeforeCloseAnAmbiguousFailureRestartsFromCreate) {
  emulator::StoreOptions hidden;
  hidden.visible_at = emulator::VisibleAt::kClose;
  emulator::Store store((base_ / "root").string(), hidden);
  AppliedThenLostApi api(store);
  api.lose_add_block = 2;
  FsOptions options;
  options.cache_dir = (base_ / "cache").string();
  DbfsStorage storage(api);
  Filesystem fs(storage, options);
  std::string data = random_bytes(3 * MiB + 5, 13);
  Filesystem::Handle fh;
  ASSERT_EQ(fs.create("/restart", O_WRONLY, &fh), 0);
  ASSERT_EQ(fs.write(fh, data.data(), data.size(), 0), int(data.size()));
  ASSERT_EQ(fs.flush(fh), 0);
  fs.release(fh);
  EXPECT_EQ(on_disk("restart"), data);
  EXPECT_EQ(api.count("create"), 2);
}

}  // namespace
}  // namespace fs
