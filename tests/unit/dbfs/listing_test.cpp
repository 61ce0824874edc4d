#include "dbfs/listing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace std::string_literals;

namespace dbfs {
namespace {

std::vector<std::string> kept(const std::string& dir, std::vector<std::string> paths) {
  std::vector<FileInfo> entries;
  int64_t size = 0;
  for (std::string& path : paths) entries.push_back({std::move(path), false, ++size, 0});
  keep_direct_children(dir, entries);
  std::vector<std::string> out;
  for (const FileInfo& e : entries) out.push_back(e.path + "#" + std::to_string(e.file_size));
  return out;
}

TEST(KeepDirectChildren, AnHonestListingIsKeptAsItIs) {
  EXPECT_THAT(kept("/d", {"/d/a", "/d/b c", "/d/.hidden", "/d/...", "/d/ü"}),
              ::testing::ElementsAre("/d/a#1", "/d/b c#2", "/d/.hidden#3", "/d/...#4", "/d/ü#5"));
  EXPECT_THAT(kept("/", {"/a", "/b"}), ::testing::ElementsAre("/a#1", "/b#2"));
  EXPECT_TRUE(kept("/d", {}).empty());
}

TEST(KeepDirectChildren, DropsWhatIsNoDirectChild) {
  EXPECT_THAT(kept("/d", {"/d/a", "/d/x/y", "/d/..", "/d/.", "/etc/passwd", "/d/", "/d/nul\0cut"s,
                          "/dd/a", "/d", "/d//a", "/d/b"}),
              ::testing::ElementsAre("/d/a#1", "/d/b#11"));
  EXPECT_THAT(kept("/", {"/a", "/etc/passwd", "/", "/..", "relative", "/b"}),
              ::testing::ElementsAre("/a#1", "/b#6"));
}

TEST(KeepDirectChildren, KeepsTheFirstEntryOfEachName) {
  EXPECT_THAT(kept("/d", {"/d/b", "/d/a", "/d/b", "/d/c", "/d/a", "/d/b"}),
              ::testing::ElementsAre("/d/b#1", "/d/a#2", "/d/c#4"));
}

TEST(KeepDirectChildren, AListOfAFileIsThatFile) {
  EXPECT_THAT(kept("/d/f", {"/d/f"}), ::testing::ElementsAre("/d/f#1"));
  // A directory does not list itself.
  std::vector<FileInfo> dir = {{"/d", true, 0, 0}};
  keep_direct_children("/d", dir);
  EXPECT_TRUE(dir.empty());
}

}  // namespace
}  // namespace dbfs
