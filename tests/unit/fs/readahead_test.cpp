#include "fs/readahead.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace fs {
namespace {

constexpr int64_t B = 1 << 20;

TEST(Readahead, ASequentialReaderGetsAGrowingWindow) {
  Readahead ra(B, 16);
  // Each read returns only what the window adds beyond the last one.
  auto r = ra.on_read(0, 128 << 10, 100 * B);
  EXPECT_EQ(r.first, 1);
  EXPECT_EQ(r.end, 3);  // 2 blocks
  r = ra.on_read(128 << 10, 128 << 10, 100 * B);
  EXPECT_EQ(r.first, 3);
  EXPECT_EQ(r.end, 5);  // 4 blocks ahead
  r = ra.on_read(256 << 10, 128 << 10, 100 * B);
  EXPECT_EQ(r.first, 5);
  EXPECT_EQ(r.end, 9);  // 8
  int64_t reach = r.end;
  for (int i = 3; i < 10; ++i) {
    reach = std::max(reach, ra.on_read(i * (128 << 10), 128 << 10, 100 * B).end);
  }
  EXPECT_EQ(reach, 2 + 16);  // the reader is in block 1 now; capped at 16 blocks ahead
}

// The kernel's requests come out of order: one for an earlier block, handled after a later one,
// asks for nothing the later one already asked for (those blocks may have been handed to the
// kernel and left the cache).
TEST(Readahead, AnEarlierRequestHandledLateFetchesNothingTwice) {
  Readahead ra(B, 16);
  ra.on_read(0, B, 100 * B);
  ra.on_read(B, B, 100 * B);
  auto later = ra.on_read(3 * B, B, 100 * B);
  auto earlier = ra.on_read(2 * B, B, 100 * B);
  EXPECT_GT(later.end, 4);
  EXPECT_TRUE(earlier.first == earlier.end || earlier.first >= later.end);
  // A new scan from elsewhere starts afresh.
  ra.on_read(60 * B, 4096, 100 * B);
  auto fresh = ra.on_read(61 * B, B, 100 * B);
  EXPECT_EQ(fresh.first, 62);
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
