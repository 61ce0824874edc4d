#include "dbfs/path.h"

#include <gtest/gtest.h>

namespace dbfs {
namespace {

TEST(Path, Normalize) {
  EXPECT_EQ(path::normalize("/"), "/");
  EXPECT_EQ(path::normalize("dbfs:/"), "/");
  EXPECT_EQ(path::normalize("dbfs:/a/b"), "/a/b");
  EXPECT_EQ(path::normalize("/a/b/"), "/a/b");
  EXPECT_EQ(path::normalize("//a///b//"), "/a/b");
  EXPECT_EQ(path::normalize("/a b/%#?+&/ünï"), "/a b/%#?+&/ünï");
  EXPECT_EQ(path::normalize("/a/.hidden/..x"), "/a/.hidden/..x");
}

TEST(Path, RejectsWhatDbfsCannotName) {
  EXPECT_FALSE(path::normalize(""));
  EXPECT_FALSE(path::normalize("a/b"));
  EXPECT_FALSE(path::normalize("dbfs:a"));
  EXPECT_FALSE(path::normalize("/a/../b"));
  EXPECT_FALSE(path::normalize("/a/./b"));
  EXPECT_FALSE(path::normalize("/.."));
  EXPECT_FALSE(path::normalize(std::string_view("/a\0b", 4)));
}

TEST(Path, JoinParentBasename) {
  EXPECT_EQ(path::join("/", "b"), "/b");
  EXPECT_EQ(path::join("/a", "b"), "/a/b");
  EXPECT_EQ(path::parent("/a/b"), "/a");
  EXPECT_EQ(path::parent("/a"), "/");
  EXPECT_EQ(path::parent("/"), "/");
  EXPECT_EQ(path::basename("/a/b"), "b");
  EXPECT_EQ(path::basename("/"), "");
}

}  // namespace
}  // namespace dbfs
