#include "fs/readahead.h"

#include <gtest/gtest.h>

namespace fs {
namespace {

constexpr int64_t B = 1 << 20;

TEST(Readahead, ASequentialReaderGetsAGrowingWindow) {
  Readahead ra(B, 16);
  auto r = ra.on_read(0, 128 << 10, 100 * B);
  EXPECT_EQ(r.first, 1);
  EXPECT_EQ(r.end, 3);  // 2 blocks
  r = ra.on_read(128 << 10, 128 << 10, 100 * B);
  EXPECT_EQ(r.end - r.first, 4);
  r = ra.on_read(256 << 10, 128 << 10, 100 * B);
  EXPECT_EQ(r.end - r.first, 8);
  for (int i = 3; i < 10; ++i) r = ra.on_read(i * (128 << 10), 128 << 10, 100 * B);
  EXPECT_EQ(r.end - r.first, 16);  // capped
}

TEST(Readahead, NeverPastTheEndOfTheFile) {
  Readahead ra(B, 16);
  auto r = ra.on_read(0, B, 2 * B + 5);
  EXPECT_EQ(r.first, 1);
  EXPECT_EQ(r.end, 3);
  r = ra.on_read(2 * B, 5, 2 * B + 5);
  EXPECT_EQ(r.first, r.end);
}

TEST(Readahead, ARandomReaderGetsNothingExtra) {
  Readahead ra(B, 16);
  ra.on_read(0, 4096, 1000 * B);
  auto r = ra.on_read(500 * B, 4096, 1000 * B);
  EXPECT_EQ(r.first, r.end);
  EXPECT_FALSE(ra.random());  // one jump is not yet a pattern
  r = ra.on_read(20 * B, 4096, 1000 * B);
  EXPECT_EQ(r.first, r.end);
  EXPECT_TRUE(ra.random());
}

TEST(Readahead, TheKernelsOutOfOrderReadaheadIsNotRandom) {
  Readahead ra(B, 16);
  for (int64_t off : {int64_t(0), 2 * B, B, 4 * B, 3 * B, 6 * B, 5 * B}) {
    ra.on_read(off, B, 100 * B);
    EXPECT_FALSE(ra.random()) << off;
  }
}

}  // namespace
}  // namespace fs
