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

}  // namespace
}  // namespace fs
