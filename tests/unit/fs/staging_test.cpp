#include "fs/staging.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace fs {
namespace {

std::string temp_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("staging-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(Staging, SmallFilesStayInMemory) {
  Staging s(temp_dir(), 1024);
  s.write("hello", 5, 0);
  s.write("!", 1, 5);
  EXPECT_FALSE(s.spilled());
  std::string out;
  s.read(0, 100, out);
  EXPECT_EQ(out, "hello!");
}

TEST(Staging, SpillsToDiskPastItsMemoryLimitAndKeepsEveryByte) {
  Staging s(temp_dir(), 1024);
  std::string a(1000, 'a'), b(2000, 'b');
  s.write(a.data(), a.size(), 0);
  s.write(b.data(), b.size(), 1000);
  EXPECT_TRUE(s.spilled());
  EXPECT_EQ(s.size(), 3000);
  std::string out;
  s.read(0, 3000, out);
  EXPECT_EQ(out, a + b);
}

TEST(Staging, FilesShareOneMemoryBudgetAndSpillPastIt) {
  MemoryBudget budget(3000);
  std::string a(2000, 'a'), b(2000, 'b');
  {
    Staging first(temp_dir(), 4096, &budget), second(temp_dir(), 4096, &budget);
    first.write(a.data(), a.size(), 0);
    EXPECT_FALSE(first.spilled());
    EXPECT_GE(budget.used(), 2000u);
    second.write(b.data(), b.size(), 0);  // would take the total past 3000
    EXPECT_TRUE(second.spilled());
    std::string out;
    second.read(0, 2000, out);
    EXPECT_EQ(out, b);
    first.truncate(5000);  // past its own limit: spills, and gives its share back
    EXPECT_TRUE(first.spilled());
    EXPECT_EQ(budget.used(), 0u);
    Staging third(temp_dir(), 4096, &budget);
    third.write(b.data(), b.size(), 0);
    EXPECT_FALSE(third.spilled());
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(Staging, HolesReadAsZerosAndTruncateCutsAndExtends) {
  for (size_t limit : {size_t(1) << 20, size_t(16)}) {
    Staging s(temp_dir(), limit);
    s.write("x", 1, 100);
    std::string out;
    s.read(0, 101, out);
    EXPECT_EQ(out, std::string(100, '\0') + "x");
    s.truncate(50);
    EXPECT_EQ(s.size(), 50);
    s.truncate(60);
    s.read(0, 1000, out);
    EXPECT_EQ(out, std::string(60, '\0'));
  }
}

// Where two large contents first differ (npos if equal): a readable failure instead of 24 MiB.
size_t first_difference(const std::string& a, const std::string& b) {
  if (a == b) return std::string::npos;
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

TEST(Staging, BytesUncachedAfterUploadReadBackUnchangedAndCanBeRewritten) {
  // 24 MiB in 1 MiB writes, each followed by the hint as the upload stream gives it, so that
  // every range is both sent to disk and given back (8 MiB behind) at least once.
  constexpr size_t kMiB = 1 << 20;
  Staging s(temp_dir(), kMiB);
  std::string expected;
  for (size_t i = 0; i < 24; ++i) {
    std::string block(kMiB, '\0');
    for (size_t j = 0; j < block.size(); j += 4096) block[j] = char('a' + (i + j / 4096) % 26);
    s.write(block.data(), block.size(), int64_t(expected.size()));
    expected += block;
    s.uncache_before(int64_t(expected.size()));
  }
  s.uncache_before(int64_t(expected.size()));  // again, with nothing new: no effect
  ASSERT_TRUE(s.spilled());
  std::string out;
  s.read(0, expected.size(), out);
  EXPECT_EQ(first_difference(out, expected), std::string::npos);
  // An uncached range is still the file's: a rewrite of it lands, and reads see it.
  s.write("rewritten", 9, 3 * int64_t(kMiB) + 5);
  expected.replace(3 * kMiB + 5, 9, "rewritten");
  s.read(0, expected.size(), out);
  EXPECT_EQ(first_difference(out, expected), std::string::npos);
}

}  // namespace
}  // namespace fs
