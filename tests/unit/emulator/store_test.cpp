// The Store in-process: the contract's semantics without HTTP, as the filesystem core sees them.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "dbfs/api_error.h"
#include "emulator/store.h"

namespace emulator {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/emulator-store-test-XXXXXX";
    base_ = mkdtemp(pattern);
    root_ = base_ / "root";
  }
  void TearDown() override { fs::remove_all(base_); }

  Store& store(StoreOptions options = {}) {
    store_ = std::make_unique<Store>(root_.string(), std::move(options));
    return *store_;
  }

  // The error code of `call`, or "" if it succeeded.
  template <typename Call>
  static std::string error_of(Call call) {
    try {
      call();
      return "";
    } catch (const dbfs::ApiError& e) {
      return std::to_string(e.http_status()) + " " + e.error_code();
    }
  }

  std::string contents(const std::string& dbfs_path) {
    std::string out, chunk;
    while (store_->read(dbfs_path, int64_t(out.size()), dbfs::Api::kMaxBlock, chunk) > 0) out += chunk;
    return out;
  }

  fs::path base_, root_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, PutGetStatusListRead) {
  Store& s = store();
  s.put("dbfs:/a/b.txt", "hello", false);
  auto info = s.get_status("/a/b.txt");
  EXPECT_EQ(info.path, "/a/b.txt");
  EXPECT_FALSE(info.is_dir);
  EXPECT_EQ(info.file_size, 5);
  struct stat st;
  ASSERT_EQ(::stat((root_ / "a" / "b.txt").c_str(), &st), 0);
  EXPECT_EQ(info.modification_time, st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000);
  EXPECT_TRUE(s.get_status("/a").is_dir);
  auto files = s.list("/a");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], info);
  EXPECT_EQ(s.list("/a/b.txt"), files);
  std::string out;
  EXPECT_EQ(s.read("/a/b.txt", 1, 3, out), 3);
  EXPECT_EQ(out, "ell");
  EXPECT_EQ(s.read("/a/b.txt", 5, 10, out), 0);
  EXPECT_EQ(out, "");
}

TEST_F(StoreTest, ReadErrors) {
  Store& s = store();
  s.put("/f", "0123456789", false);
  std::string out;
  EXPECT_EQ(error_of([&] { s.read("/f", 0, dbfs::Api::kMaxBlock + 1, out); }),
            "400 MAX_READ_SIZE_EXCEEDED");
  EXPECT_EQ(error_of([&] { s.read("/f", 11, 1, out); }), "400 INVALID_PARAMETER_VALUE");
  EXPECT_EQ(error_of([&] { s.read("/f", -1, 1, out); }), "400 INVALID_PARAMETER_VALUE");
  EXPECT_EQ(error_of([&] { s.read("/", 0, 1, out); }), "400 INVALID_PARAMETER_VALUE");
  EXPECT_EQ(error_of([&] { s.read("/missing", 0, 1, out); }), "404 RESOURCE_DOES_NOT_EXIST");
}

TEST_F(StoreTest, WriteStreamInCallOrder) {
  Store& s = store();
  int64_t h = s.create("/up/file", false);
  EXPECT_GE(h, int64_t(1) << 50);
  EXPECT_LT(h, int64_t(1) << 53);
  s.add_block(h, "one,");
  s.add_block(h, "two");
  EXPECT_EQ(s.get_status("/up/file").file_size, 7);  // visible from create on by default
  s.close(h);
  EXPECT_EQ(contents("/up/file"), "one,two");
  EXPECT_EQ(error_of([&] { s.add_block(h, "x"); }), "404 RESOURCE_DOES_NOT_EXIST");
  EXPECT_EQ(error_of([&] { s.close(h); }), "404 RESOURCE_DOES_NOT_EXIST");
  EXPECT_EQ(error_of([&] { s.add_block(h, std::string(dbfs::Api::kMaxBlock + 1, 'x')); }),
            "400 MAX_BLOCK_SIZE_EXCEEDED");
}

TEST_F(StoreTest, VisibleAtClose) {
  Store& s = store({.visible_at = VisibleAt::kClose});
  int64_t h = s.create("/later/f", false);
  s.add_block(h, "data");
  EXPECT_EQ(error_of([&] { s.get_status("/later"); }), "404 RESOURCE_DOES_NOT_EXIST");
  s.close(h);
  EXPECT_EQ(contents("/later/f"), "data");
}

TEST_F(StoreTest, HandlesExpireWhenIdle) {
  Store& s = store({.handle_timeout = std::chrono::milliseconds(50)});
  int64_t h = s.create("/f", false);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_EQ(error_of([&] { s.add_block(h, "x"); }), "404 RESOURCE_DOES_NOT_EXIST");
}

TEST_F(StoreTest, AlreadyExistsRules) {
  Store& s = store();
  s.put("/f", "x", false);
  s.mkdirs("/d");
  EXPECT_EQ(error_of([&] { s.put("/f", "y", false); }), "400 RESOURCE_ALREADY_EXISTS");
  EXPECT_EQ(error_of([&] { s.create("/f", false); }), "400 RESOURCE_ALREADY_EXISTS");
  EXPECT_EQ(error_of([&] { s.create("/d", true); }), "400 RESOURCE_ALREADY_EXISTS");
  EXPECT_EQ(error_of([&] { s.create("/f/below", true); }), "400 RESOURCE_ALREADY_EXISTS");
  EXPECT_EQ(error_of([&] { s.mkdirs("/f/below"); }), "400 RESOURCE_ALREADY_EXISTS");
  EXPECT_EQ(error_of([&] { s.put("/f", "y", true); }), "");
  EXPECT_EQ(contents("/f"), "y");
}

TEST_F(StoreTest, MoveRules) {
  Store& s = store();
  s.put("/a/f", "x", false);
  s.put("/b", "y", false);
  EXPECT_EQ(error_of([&] { s.move("/missing", "/c"); }), "404 RESOURCE_DOES_NOT_EXIST");
  EXPECT_EQ(error_of([&] { s.move("/a", "/b"); }), "400 RESOURCE_ALREADY_EXISTS");
  EXPECT_EQ(error_of([&] { s.move("/a", "/no/parent"); }), "404 RESOURCE_DOES_NOT_EXIST");
  s.move("/a", "/c");
  EXPECT_EQ(contents("/c/f"), "x");
}

TEST_F(StoreTest, DeleteAndPartialDelete) {
  Store& s = store({.nonempty_delete_code = "BAD_REQUEST", .partial_delete_after = 2});
  for (int i = 0; i < 5; ++i) s.put("/t/" + std::to_string(i % 2) + "/f" + std::to_string(i), "", false);
  EXPECT_EQ(error_of([&] { s.delete_once("/t", false); }), "400 BAD_REQUEST");
  EXPECT_EQ(error_of([&] { s.delete_once("/t", true); }), "503 PARTIAL_DELETE");
  s.remove("/t", true);  // the Api method loops until done
  EXPECT_FALSE(fs::exists(root_ / "t"));
  EXPECT_EQ(error_of([&] { s.remove("/never", false); }), "");
  EXPECT_EQ(error_of([&] { s.remove("/", true); }), "400 INVALID_PARAMETER_VALUE");
}

TEST_F(StoreTest, ListLimitAndSorting) {
  Store& s = store({.list_limit = 2});
  s.put("/b", "", false);
  s.put("/a", "", false);
  auto files = s.list("/");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "/a");
  s.put("/c", "", false);
  EXPECT_EQ(error_of([&] { s.list("/"); }), "504 TEMPORARILY_UNAVAILABLE");
}

TEST_F(StoreTest, NeverLeavesTheRoot) {
  fs::create_directories(base_ / "outside");
  std::ofstream(base_ / "outside" / "secret") << "secret";
  Store& s = store();
  fs::create_directory_symlink(base_ / "outside", root_ / "link");
  std::string out;
  EXPECT_EQ(error_of([&] { s.read("/link/secret", 0, 10, out); }), "404 RESOURCE_DOES_NOT_EXIST");
  EXPECT_EQ(error_of([&] { s.get_status("/link"); }), "404 RESOURCE_DOES_NOT_EXIST");
  EXPECT_EQ(error_of([&] { s.read("/../outside/secret", 0, 10, out); }),
            "400 INVALID_PARAMETER_VALUE");
  EXPECT_NE(error_of([&] { s.put("/link/new", "x", true); }), "");
  EXPECT_TRUE(s.list("/").empty());
  s.remove("/link", true);
  EXPECT_TRUE(fs::exists(base_ / "outside" / "secret"));
  EXPECT_FALSE(fs::exists(base_ / "outside" / "new"));
}

TEST_F(StoreTest, ParallelWritersAndReaders) {
  Store& s = store();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::string path = "/par/" + std::to_string(t);
      std::string block(1000, char('a' + t));
      int64_t h = s.create(path, false);
      for (int i = 0; i < 50; ++i) s.add_block(h, block);
      s.close(h);
      std::string out;
      if (s.read(path, 0, dbfs::Api::kMaxBlock, out) != 50000 || out != std::string(50000, char('a' + t)))
        ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(s.list("/par").size(), 8u);
}

}  // namespace
}  // namespace emulator
