// Uploader and UploadStream against the emulator's Store in-process: whole-file and streamed
// uploads end byte-identical under their final name, failures leave no hidden file behind, and
// a stream that is abandoned takes its temporary file with it.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "dbfs/api_error.h"
#include "fs/upload_journal.h"
#include "fs/upload_stream.h"
#include "fs/uploader.h"
#include "scratch_store.h"

namespace fs {
namespace {

constexpr int64_t kMiB = 1 << 20;

using testing::random_bytes;

class UploadTest : public ::testing::Test {
 protected:
  std::string content(const std::string& path) { return scratch_.content(path); }
  int hidden() { return scratch_.hidden_files(); }
  Uploader::ReadFn reader(const std::string& data) {
    return [&data](int64_t off, size_t len, std::string& out) { out = data.substr(size_t(off), len); };
  }

  testing::ScratchStore scratch_{"upload-test"};
  UploadJournal journal_{scratch_.cache(), "https://example.cloud.databricks.com"};
};

TEST_F(UploadTest, ASmallFileIsOnePutAndALargeOneGoesUpInBlocks) {
  std::string small = random_bytes(1000, 1), large = random_bytes(3 * kMiB + 7, 2);
  Uploader uploader(*scratch_.storage, 3, &journal_);
  EXPECT_EQ(uploader.upload("/small", int64_t(small.size()), reader(small)).file_size, 1000);
  EXPECT_EQ(scratch_.api->count("put"), 1);
  scratch_.api->reset();
  EXPECT_EQ(uploader.upload("/large", int64_t(large.size()), reader(large)).file_size,
            int64_t(large.size()));
  EXPECT_EQ(scratch_.api->count("add-block"), 4);
  EXPECT_EQ(content("/small"), small);
  EXPECT_EQ(content("/large"), large);
  EXPECT_EQ(hidden(), 0);
  EXPECT_TRUE(journal_.wait_until_settled(std::chrono::milliseconds(0)));
}

TEST_F(UploadTest, AFailedUploadLeavesTheOldFileAndNothingHidden) {
  scratch_.store->put("/f", "old", true);
  std::string data = random_bytes(2 * kMiB + 1, 3);
  scratch_.api->before = [](const std::string& op) {
    if (op == "close") throw dbfs::ApiError::http("close", 400, "INVALID_PARAMETER_VALUE", "no");
  };
  Uploader uploader(*scratch_.storage, 3, &journal_);
  EXPECT_THROW(uploader.upload("/f", int64_t(data.size()), reader(data)), dbfs::ApiError);
  EXPECT_EQ(content("/f"), "old");
  EXPECT_EQ(hidden(), 0);
}

TEST_F(UploadTest, AStreamSendsBlocksAsTheyComeAndCommitsAtFinish) {
  std::string data = random_bytes(3 * kMiB + 100, 4);
  scratch_.store->put("/s", "old", true);
  UploadStream stream(*scratch_.storage, "/s", &journal_);
  for (int64_t off = 0; off + kMiB <= int64_t(data.size()); off += kMiB) {
    ASSERT_TRUE(stream.push(data.substr(size_t(off), size_t(kMiB))));
  }
  EXPECT_EQ(content("/s"), "old");  // nothing under the final name before finish
  auto info = stream.finish(data.substr(3 * kMiB), "/s", int64_t(data.size()));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->file_size, int64_t(data.size()));
  EXPECT_EQ(content("/s"), data);
  EXPECT_EQ(hidden(), 0);
}

TEST_F(UploadTest, AnAbandonedStreamTakesItsTemporaryFileWithIt) {
  std::string block = random_bytes(size_t(kMiB), 5);
  {
    UploadStream stream(*scratch_.storage, "/gone", &journal_);
    ASSERT_TRUE(stream.push(block));
    stream.abandon_and_wait();
    EXPECT_FALSE(stream.push(block));
    EXPECT_EQ(hidden(), 0);
  }
  EXPECT_FALSE(std::filesystem::exists(scratch_.base / "root" / "gone"));
  EXPECT_TRUE(journal_.wait_until_settled(std::chrono::seconds(10)));
}

TEST_F(UploadTest, AStreamWhoseBlockFailsGivesUpAndCleansUp) {
  std::string block = random_bytes(size_t(kMiB), 6);
  scratch_.api->before = [](const std::string& op) {
    if (op == "add-block") {
      throw dbfs::ApiError::http("add-block", 400, "MAX_BLOCK_SIZE_EXCEEDED", "no");
    }
  };
  UploadStream stream(*scratch_.storage, "/failing", &journal_);
  stream.push(block);  // may be refused once the worker has seen the failure
  EXPECT_FALSE(stream.finish(block, "/failing", 2 * kMiB));
  EXPECT_FALSE(std::filesystem::exists(scratch_.base / "root" / "failing"));
  EXPECT_EQ(hidden(), 0);
}

}  // namespace
}  // namespace fs
