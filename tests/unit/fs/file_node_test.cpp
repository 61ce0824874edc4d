// FileNode on its own: each state of its content (file_node.h) and the way out of it, with the
// store (the emulator's Store, in-process) holding exactly what the state promises.

#include "fs/file_node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "fs/block_cache.h"
#include "fs/metadata_cache.h"
#include "fs/remote_reader.h"
#include "fs/thread_pool.h"
#include "fs/upload_journal.h"
#include "scratch_store.h"

namespace fs {
namespace {

constexpr int64_t kMiB = 1 << 20;
using Content = FileNode::Content;
using testing::random_bytes;

class FileNodeTest : public ::testing::Test {
 protected:
  std::string on_store(const std::string& path) { return scratch_.content(path); }
  bool hidden_left() { return scratch_.hidden_files() > 0; }
  // A node mirroring what the store holds at `path`.
  std::unique_ptr<FileNode> mirror(const std::string& path) {
    dbfs::FileInfo info = scratch_.store->get_status(path);
    return std::make_unique<FileNode>(path, &info);
  }
  void write(FileNode& node, const std::string& data, int64_t offset) {
    threads::MutexLock lock(node.mutex);
    node.write(data.data(), data.size(), offset, false, services_);
  }
  int publish(FileNode& node) {
    threads::MutexLock lock(node.mutex);
    return node.publish(services_);
  }
  Content content(FileNode& node) {
    threads::MutexLock lock(node.mutex);
    return node.content();
  }

  testing::ScratchStore scratch_{"file-node-test"};
  MetadataCache metadata_{MetadataCache::Ttls{}};
  BlockCache blocks_{64 * kMiB};
  ThreadPool pool_{2};
  UploadJournal journal_{scratch_.cache(), "https://example.cloud.databricks.com"};
  MemoryBudget memory_{64 * kMiB};
  RemoteReader reader_{*scratch_.storage, blocks_, pool_, metadata_, 64 * kMiB};
  NodeServices::Counts counts_;
  NodeServices services_{*scratch_.storage, journal_, metadata_, reader_, memory_,
                         scratch_.cache(), size_t(2 * kMiB), 2, counts_};
};

TEST_F(FileNodeTest, AFileWrittenFrontToBackStreamsAndIsStagedOnceUploaded) {
  FileNode node("/f", nullptr);
  {
    threads::MutexLock lock(node.mutex);
    node.truncate(0, services_);
    EXPECT_EQ(node.content(), Content::kFresh);
  }
  std::string data = random_bytes(3 * kMiB + 10, 1);
  write(node, data.substr(0, kMiB), 0);
  EXPECT_EQ(content(node), Content::kFresh);  // one block goes up in one call at close
  write(node, data.substr(kMiB), kMiB);
  EXPECT_EQ(content(node), Content::kStreaming);
  EXPECT_EQ(publish(node), 0);
  EXPECT_EQ(content(node), Content::kStaged);
  EXPECT_EQ(on_store("/f"), data);
  EXPECT_EQ(scratch_.api->count("create"), 1);  // the stream's: no second, whole upload
  EXPECT_TRUE(journal_.wait_until_settled(std::chrono::seconds(10)));
  EXPECT_FALSE(hidden_left());
}

TEST_F(FileNodeTest, RewritingWhatTheStreamSentGivesItUpAndUploadsWhole) {
  FileNode node("/f", nullptr);
  {
    threads::MutexLock lock(node.mutex);
    node.truncate(0, services_);
  }
  std::string data = random_bytes(3 * kMiB, 2);
  write(node, data, 0);
  ASSERT_EQ(content(node), Content::kStreaming);
  data.replace(10, 5, "AAAAA");
  write(node, "AAAAA", 10);
  EXPECT_EQ(content(node), Content::kStaged);
  EXPECT_EQ(publish(node), 0);
  EXPECT_EQ(on_store("/f"), data);
  EXPECT_TRUE(journal_.wait_until_settled(std::chrono::seconds(10)));
  EXPECT_FALSE(hidden_left());
}

TEST_F(FileNodeTest, AWriteIntoAStoredFileLoadsItFirst) {
  std::string old = random_bytes(2 * kMiB + 3, 3);
  scratch_.store->put("/f", "", true);
  {
    FileNode writer("/f", nullptr);
    threads::MutexLock lock(writer.mutex);
    writer.truncate(0, services_);
    writer.write(old.data(), old.size(), 0, false, services_);
    ASSERT_EQ(writer.publish(services_), 0);
  }
  auto node = mirror("/f");
  EXPECT_EQ(content(*node), Content::kRemote);
  write(*node, "xyz", kMiB);
  EXPECT_EQ(content(*node), Content::kStaged);
  EXPECT_EQ(publish(*node), 0);
  old.replace(size_t(kMiB), 3, "xyz");
  EXPECT_EQ(on_store("/f"), old);
}

TEST_F(FileNodeTest, AWriteThatCannotBeStagedIsNeverUploadedUntilTruncatedToEmpty) {
  scratch_.store->put("/f", "old", true);
  NodeServices::Counts counts;
  NodeServices nowhere{*scratch_.storage, journal_, metadata_, reader_, memory_,
                       (scratch_.base / "no-such-dir").string(), size_t(4096), 2, counts};
  FileNode node("/f", nullptr);
  threads::MutexLock lock(node.mutex);
  node.truncate(0, nowhere);
  std::string big(8192, 'x');  // past memory: spills into a folder that is not there
  EXPECT_THROW(node.write(big.data(), big.size(), 0, false, nowhere), std::system_error);
  EXPECT_EQ(node.content(), Content::kBroken);
  EXPECT_TRUE(node.needs_upload());
  EXPECT_LT(node.publish(nowhere), 0);
  EXPECT_EQ(on_store("/f"), "old");
  node.truncate(0, services_);
  EXPECT_EQ(node.content(), Content::kFresh);
  node.write("new", 3, 0, false, services_);
  EXPECT_EQ(node.publish(services_), 0);
  EXPECT_EQ(on_store("/f"), "new");
}

TEST_F(FileNodeTest, AnUnlinkedFileIsNeverUploaded) {
  FileNode node("/f", nullptr);
  threads::MutexLock lock(node.mutex);
  node.truncate(0, services_);
  node.write("abc", 3, 0, false, services_);
  node.unlink("");
  EXPECT_FALSE(node.needs_upload());
  node.publish_unreported(services_);
  EXPECT_EQ(scratch_.api->total(), 0);
  size_t n = 0;
  char buf[8];
  ASSERT_TRUE(node.read_staged(buf, sizeof buf, 0, &n));  // its descriptors still read it
  EXPECT_EQ(std::string(buf, n), "abc");
}

TEST_F(FileNodeTest, ChangesNoCloseReportedAreUploadedAtTheLastRelease) {
  FileNode node("/f", nullptr);
  threads::MutexLock lock(node.mutex);
  node.truncate(0, services_);
  node.write("abc", 3, 0, false, services_);
  ASSERT_EQ(node.publish(services_), 0);
  node.publish_unreported(services_);  // nothing new: no call
  EXPECT_EQ(scratch_.api->count("put"), 1);
  node.write("d", 1, 3, /*append=*/true, services_);
  node.publish_unreported(services_);
  EXPECT_EQ(scratch_.api->count("put"), 2);
  EXPECT_EQ(on_store("/f"), "abcd");
}

TEST_F(FileNodeTest, ShrinkingBelowWhatTheStreamSentGivesItUp) {
  FileNode node("/f", nullptr);
  threads::MutexLock lock(node.mutex);
  node.truncate(0, services_);
  std::string data = random_bytes(3 * kMiB, 4);
  node.write(data.data(), data.size(), 0, false, services_);
  ASSERT_EQ(node.content(), Content::kStreaming);
  node.truncate(kMiB / 2, services_);
  EXPECT_EQ(node.content(), Content::kStaged);
  EXPECT_EQ(node.publish(services_), 0);
  EXPECT_EQ(on_store("/f"), data.substr(0, kMiB / 2));
}

}  // namespace
}  // namespace fs
